import OrkestronProtocol

/// The table of runs shared by `orkctl history` (from `runs.list`) and `orkctl show`.
public enum RunTable {
    static let header = ["RUN", "STATUS", "ATTEMPT", "STARTED", "DURATION", "REASON"]

    public static func render(_ runs: [JSONValue], in context: ConsoleContext) -> String {
        Table(rows: [header] + runs.map { row($0, in: context) }).render()
    }

    static func row(_ run: JSONValue, in context: ConsoleContext) -> [String] {
        [
            run["runId"]?.stringValue ?? "?", run["status"]?.stringValue ?? "?",
            run["attempt"]?.intValue.map(String.init) ?? "-",
            (run["startedAt"]?.instant ?? run["createdAt"]?.instant).map(context.since) ?? "-",
            run["durationMs"]?.intValue.map(ConsoleContext.duration) ?? "-",
            run["reason"]?.stringValue ?? "",
        ]
    }
}
