import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
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
        print(UpcomingRunsView.render(slots, in: global.context))
    }
}
