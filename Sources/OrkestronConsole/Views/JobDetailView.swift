import OrkestronProtocol

/// `orkctl show JOB`: definition, state, active and recent runs from `jobs.get`.
public enum JobDetailView {
    public static func render(_ result: JSONValue, in context: ConsoleContext) -> String {
        var sections: [String] = []
        let definition = (result["definition"]?.objectValue ?? []).filter { !$0.1.isNull }
        sections.append("Definition\n" + Table(rows: definition.map { ["  " + $0.0 + ":", text($0.1)] }).render())

        var state: [[String]] = [["  state:", result["state"]?["state"]?.stringValue ?? "?"]]
        if let by = result["pausedBy"]?.stringValue {
            state.append(["  paused by:", by + (result["pausedAt"]?.instant.map { " " + context.since($0) } ?? "")])
        }
        if let failures = result["consecutiveFailures"]?.intValue { state.append(["  consecutive failures:", String(failures)]) }
        if let success = result["lastSuccess"]?.instant { state.append(["  last success:", context.since(success)]) }
        if let next = result["state"]?["nextRun"]?.instant { state.append(["  next run:", context.until(next)]) }
        sections.append("State\n" + Table(rows: state).render())

        let active = result["activeRuns"]?.arrayValue ?? []
        var activeRows: [[String]] = [["RUN", "ATTEMPT", "TRIGGER", "PHASE", "SINCE", "REASON"]]
        for run in active {
            activeRows.append([
                run["runId"]?.stringValue ?? "?", run["attempt"]?.intValue.map(String.init) ?? "-",
                run["trigger"]?.stringValue ?? "-", run["phase"]?.stringValue ?? "-",
                run["since"]?.instant.map(context.since) ?? "-", run["reason"]?.stringValue ?? "",
            ])
        }
        sections.append("Active runs\n" + (active.isEmpty ? "  none" : Table(rows: activeRows).render()))

        let recent = result["recentRuns"]?.arrayValue ?? []
        sections.append("Recent runs\n" + (recent.isEmpty ? "  none" : RunTable.render(recent, in: context)))
        return sections.joined(separator: "\n\n")
    }

    static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.serialized
    }
}
