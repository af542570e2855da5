import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl next JOB [--count N]`: upcoming runs with policies applied.
struct NextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "next", abstract: "Upcoming runs of a job, with policies applied.")

    @Argument(help: "The job.")
    var job: String

    @Option(name: .long, help: "How many (default 5).")
    var count: Int?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let slots = try await global.call("jobs.next", .object(["id": .string(job), "count": JSONValue(count)]))
        if global.json {
            print(slots.serialized)
            return
        }
        let now = WallClockNow.instant
        var rows: [[String]] = [["SLOT", "WHEN", "EARLIEST", "LATEST", "NOTE"]]
        for slot in slots.arrayValue ?? [] {
            let at = slot["slot"]?.stringValue.flatMap(Instant.init(iso8601:))
            var notes: [String] = []
            if slot["paused"]?.boolValue == true { notes.append("paused") }
            if let quiet = slot["quietHours"], !quiet.isNull {
                notes.append("quiet hours \(quiet["name"]?.stringValue ?? "?"): \(quiet["action"]?.stringValue ?? "?") until \(quiet["until"]?.stringValue.flatMap(Instant.init(iso8601:)).map(LocalTime.format) ?? "?")")
            }
            rows.append([
                at.map(LocalTime.format) ?? "?", at.map { RelativeTime.until($0, now: now) } ?? "-",
                slot["earliest"]?.stringValue.flatMap(Instant.init(iso8601:)).map(LocalTime.format) ?? "-",
                slot["latest"]?.stringValue.flatMap(Instant.init(iso8601:)).map(LocalTime.format) ?? "-",
                notes.joined(separator: "; "),
            ])
        }
        print(Table(rows: rows).render())
    }
}
