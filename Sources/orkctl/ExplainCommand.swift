import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
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
        print(ExplanationView.render(result, job: job, in: global.context))
    }
}
