import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
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
        print(TraceView.render(result, runId: runId))
    }
}
