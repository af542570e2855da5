import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl watch [JOB…] [--type T] [--status S] [--replay N]`: the live event stream, one line per event.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Live event stream, one line per event.")

    @Argument(help: "Only events of these jobs.")
    var jobs: [String] = []

    @Option(name: .long, help: "Only events of jobs of this type (repeatable).")
    var type: [String] = []

    @Option(name: .long, help: "Only events with this status (repeatable).")
    var status: [String] = []

    @Option(name: .long, help: "First replay the last N stored events.")
    var replay: Int?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        // Ctrl-C and a closed output end the stream cleanly.
        signal(SIGINT) { _ in _exit(0) }
        signal(SIGPIPE) { _ in _exit(0) }
        let params = JSONValue.object([
            "jobs": jobs.isEmpty ? nil : JSONValue(jobs), "types": type.isEmpty ? nil : JSONValue(type),
            "statuses": status.isEmpty ? nil : JSONValue(status.map { $0.uppercased() }), "replay": JSONValue(replay),
        ])
        let json = global.json
        let colors = global.colors
        try await global.withClient { client in
            _ = try await client.call("events.subscribe", params)
            for await notification in client.notifications {
                switch notification.method {
                case "event":
                    print(json ? notification.params.serialized : Self.line(notification.params, colors: colors))
                case "events.dropped":
                    let count = notification.params["count"]?.intValue ?? 0
                    if json {
                        print(JSONValue.object(["dropped": .int(count)]).serialized)
                    } else {
                        FileHandle.standardError.write(Data("orkctl: \(count) events were dropped\n".utf8))
                    }
                default:
                    continue
                }
                fflush(nil)
            }
        }
        GlobalOptions.fail("the daemon closed the connection", code: 3)
    }

    static func line(_ event: JSONValue, colors: Colors) -> String {
        let time = event["time"]?.stringValue.flatMap(Instant.init(iso8601:)).map(LocalTime.format) ?? "?"
        let status = event["status"]?.stringValue ?? "?"
        var fields = [
            time, pad(event["jobId"]?.stringValue ?? "-", 16), pad(event["runId"]?.stringValue ?? "-", 20),
            colors.status(status) + String(repeating: " ", count: max(0, 11 - status.count)),
        ]
        if let attempt = event["attempt"]?.intValue { fields.append("attempt \(attempt)") }
        if let ms = event["durationMs"]?.intValue { fields.append("took \(RelativeTime.duration(ms: ms))") }
        if let ms = event["nextRetryIn"]?.intValue { fields.append("retry in \(RelativeTime.duration(ms: ms))") }
        if let by = event["by"]?.stringValue { fields.append("by \(by)") }
        if let reason = event["reason"]?.stringValue { fields.append(reason) }
        return fields.joined(separator: "  ")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
