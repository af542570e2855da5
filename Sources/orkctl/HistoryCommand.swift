import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
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
        print(RunTable.render(runs.arrayValue ?? [], in: global.context))
    }
}
