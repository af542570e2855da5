import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl trace RUN`: every transition of one run, as a timeline.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Every transition of one run, as a timeline.")

    @Argument(help: "The run id.")
    var runId: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result = try await global.call("runs.get", .object(["runId": .string(runId)]))
        if global.json {
            print(result.serialized)
            return
        }
        let run = result["run"] ?? .null
        print("\(run["runId"]?.stringValue ?? runId)  job \(run["jobId"]?.stringValue ?? "?")  trigger \(run["trigger"]?.stringValue ?? "-")  status \(run["status"]?.stringValue ?? "?")")
        var rows: [[String]] = [["TIME", "+DELAY", "STATUS", "ATTEMPT", "DETAIL"]]
        var previous: Instant?
        for event in result["events"]?.arrayValue ?? [] {
            let timeText = event["time"]?.stringValue ?? "?"
            let time = Instant(iso8601: timeText)
            let delay = both(time, previous).map { "+" + RelativeTime.duration(ms: $0.milliseconds(since: $1)) } ?? ""
            if let time { previous = time }
            var detail: [String] = []
            if let ms = event["durationMs"]?.intValue { detail.append("took \(RelativeTime.duration(ms: ms))") }
            if let ms = event["nextRetryIn"]?.intValue { detail.append("retry in \(RelativeTime.duration(ms: ms))") }
            if let code = event["exitCode"]?.intValue { detail.append("exit \(code)") }
            if let signal = event["signal"]?.intValue { detail.append("signal \(signal)") }
            if let reason = event["reason"]?.stringValue { detail.append(reason) }
            rows.append([
                timeText, delay, event["status"]?.stringValue ?? "?",
                event["attempt"]?.intValue.map(String.init) ?? "-", detail.joined(separator: "; "),
            ])
        }
        print(Table(rows: rows).render())
    }
}

private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
