import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl history [JOB] [--status S] [--limit N]`: past runs, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Past runs, newest first.")

    @Argument(help: "Only runs of this job.")
    var job: String?

    @Option(name: .long, help: "Only runs with this status.")
    var status: String?

    @Option(name: .long, help: "At most this many runs (default 50).")
    var limit: Int?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let runs = try await global.call(
            "runs.list", .object(["job": JSONValue(job), "status": JSONValue(status), "limit": JSONValue(limit)]))
        if global.json {
            print(runs.serialized)
            return
        }
        print(Table(rows: RunRows.header + (runs.arrayValue ?? []).map { RunRows.row($0, now: WallClockNow.instant) }).render())
    }
}

/// The run table shared by `history` and `show`.
enum RunRows {
    static let header = [["RUN", "STATUS", "ATTEMPT", "STARTED", "DURATION", "REASON"]]

    static func row(_ run: JSONValue, now: Instant) -> [String] {
        let started = (run["startedAt"]?.stringValue ?? run["createdAt"]?.stringValue)
            .flatMap(Instant.init(iso8601:)).map { RelativeTime.since($0, now: now) } ?? "-"
        return [
            run["runId"]?.stringValue ?? "?", run["status"]?.stringValue ?? "?",
            run["attempt"]?.intValue.map(String.init) ?? "-", started,
            run["durationMs"]?.intValue.map { RelativeTime.duration(ms: $0) } ?? "-",
            run["reason"]?.stringValue ?? "",
        ]
    }
}
