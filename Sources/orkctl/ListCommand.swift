import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
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
        print(JobListView.render(jobs, in: global.context))
    }
}
