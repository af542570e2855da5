import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
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
        let context = global.context
        try await global.withClient { client in
            _ = try await client.call("events.subscribe", params)
            for await notification in client.notifications {
                switch notification.method {
                case "event":
                    print(json ? notification.params.serialized : EventLine.render(notification.params, in: context))
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
}
