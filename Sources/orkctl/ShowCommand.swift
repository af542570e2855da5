import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl show JOB`: definition, state, active and recent runs.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A job's definition, state and recent runs.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result = try await global.call("jobs.get", .object(["id": .string(job)]))
        if global.json {
            print(result.serialized)
            return
        }
        let now = WallClockNow.instant
        let state = result["state"] ?? .null
        var rows: [[String]] = []
        for (key, value) in result["definition"]?.objectValue ?? [] where !value.isNull {
            rows.append([key, Self.text(value)])
        }
        print("Definition")
        print(Table(rows: rows.map { ["  " + $0[0] + ":", $0[1]] }).render())
        print("")
        var stateRows: [[String]] = [["  state:", state["state"]?.stringValue ?? "?"]]
        if let by = result["pausedBy"]?.stringValue {
            let at = result["pausedAt"]?.stringValue.flatMap(Instant.init(iso8601:)).map { " " + RelativeTime.since($0, now: now) } ?? ""
            stateRows.append(["  paused by:", by + at])
        }
        if let failures = result["consecutiveFailures"]?.intValue { stateRows.append(["  consecutive failures:", String(failures)]) }
        if let success = result["lastSuccess"]?.stringValue.flatMap(Instant.init(iso8601:)) {
            stateRows.append(["  last success:", RelativeTime.since(success, now: now)])
        }
        if let next = state["nextRun"]?.stringValue.flatMap(Instant.init(iso8601:)) {
            stateRows.append(["  next run:", RelativeTime.until(next, now: now)])
        }
        print("State")
        print(Table(rows: stateRows).render())
        let active = result["activeRuns"]?.arrayValue ?? []
        print("")
        print("Active runs")
        if active.isEmpty {
            print("  none")
        } else {
            var activeRows: [[String]] = [["RUN", "ATTEMPT", "TRIGGER", "PHASE", "SINCE", "REASON"]]
            for run in active {
                activeRows.append([
                    run["runId"]?.stringValue ?? "?", run["attempt"]?.intValue.map(String.init) ?? "-",
                    run["trigger"]?.stringValue ?? "-", run["phase"]?.stringValue ?? "-",
                    run["since"]?.stringValue.flatMap(Instant.init(iso8601:)).map { RelativeTime.since($0, now: now) } ?? "-",
                    run["reason"]?.stringValue ?? "",
                ])
            }
            print(Table(rows: activeRows).render())
        }
        let recent = result["recentRuns"]?.arrayValue ?? []
        print("")
        print("Recent runs")
        if recent.isEmpty {
            print("  none")
        } else {
            print(Table(rows: RunRows.header + recent.map { RunRows.row($0, now: now) }).render())
        }
    }

    static func text(_ value: JSONValue) -> String {
        if let string = value.stringValue { return string }
        return value.serialized
    }
}
