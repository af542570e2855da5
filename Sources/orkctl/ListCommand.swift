import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl list`: the jobs table.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs with their state, last and next run.")

    @Option(name: .long, help: "Only jobs of this type.")
    var type: String?

    @Option(name: .long, help: "Only jobs in this state (idle, scheduled, queued, running, retrying, deferred, paused).")
    var state: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let jobs = try await global.call("jobs.list", .object(["type": JSONValue(type), "state": JSONValue(state)]))
        if global.json {
            print(jobs.serialized)
            return
        }
        let now = WallClockNow.instant
        var rows: [[String]] = [["JOB", "TYPE", "SCHEDULE", "STATE", "LAST", "NEXT"]]
        for job in jobs.arrayValue ?? [] {
            var last = "-"
            if let run = job["lastRun"], let status = run["status"]?.stringValue {
                let at = run["finishedAt"]?.stringValue.flatMap(Instant.init(iso8601:))
                last = status + (at.map { " " + RelativeTime.since($0, now: now) } ?? "")
            }
            let next = job["nextRun"]?.stringValue.flatMap(Instant.init(iso8601:)).map { RelativeTime.until($0, now: now) } ?? "-"
            rows.append([
                job["id"]?.stringValue ?? "?", job["type"]?.stringValue ?? "-", job["schedule"]?.stringValue ?? "-",
                job["state"]?.stringValue ?? "?", last, next,
            ])
        }
        print(Table(rows: rows).render())
    }
}
