import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
import OrkestronProtocol

/// `orkctl show JOB`: definition, state, active and recent runs.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A job's definition, state and recent runs.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result = try await global.call("jobs.get", .object(["id": .string(job)]))
        if global.json {
            print(result.serialized)
            return
        }
        print(JobDetailView.render(result, in: global.context))
    }
}
