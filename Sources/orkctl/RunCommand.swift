import ArgumentParser
import Foundation
import OrkestronClient
import OrkestronProtocol

/// `orkctl run JOB [--wait]`: a manual trigger.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a job now; with --wait, follow it and exit 0 on SUCCESS, 4 otherwise.")

    @Argument(help: "The job to run.")
    var job: String

    @Flag(name: .long, help: "Wait for the run to finish.")
    var wait = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        // With --wait the answer comes when the run ends, however long it takes.
        let result = try await global.call(
            "jobs.run", .object(["id": .string(job), "wait": .bool(wait)]),
            timeout: wait ? nil : ControlClient.answerTimeout)
        let status = result["status"]?.stringValue
        if global.json {
            print(result.serialized)
        } else if wait {
            print("\(result["runId"]?.stringValue ?? "?")  \(status ?? "?")")
        } else {
            print(result["runId"]?.stringValue ?? "?")
        }
        if wait && status != "SUCCESS" { throw ExitCode(4) }
    }
}
