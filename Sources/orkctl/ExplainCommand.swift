import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl explain JOB`: why the job is (not) running, one sentence per reason.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Why a job is (not) running, in plain sentences.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result = try await global.call("jobs.explain", .object(["id": .string(job)]))
        if global.json {
            print(result.serialized)
            return
        }
        let now = WallClockNow.instant
        print("\(result["id"]?.stringValue ?? job) is \(result["state"]?.stringValue ?? "?").")
        for reason in result["reasons"]?.arrayValue ?? [] {
            let text = reason["text"]?.stringValue ?? ""
            if let time = reason["time"]?.stringValue.flatMap(Instant.init(iso8601:)) {
                let relative = time.milliseconds(since: now) > 0 ? RelativeTime.until(time, now: now) : RelativeTime.since(time, now: now)
                print("\(text) (\(LocalTime.format(time)), \(relative))")
            } else {
                print(text)
            }
        }
    }
}

/// Instants shown in the system's time zone: `2026-11-29 09:14:03`.
enum LocalTime {
    static func format(_ instant: Instant) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
    }
}
