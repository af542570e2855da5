import ArgumentParser
import Foundation
import OrkestronProtocol

/// `orkctl cancel JOB|RUN`: cancels one run, or every active run of a job.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run, or a job's active runs.")

    @Argument(help: "A run id (<job>-<6 digits>) or a job id.")
    var target: String

    @OptionGroup var global: GlobalOptions

    /// `<job>-<6 digits>`.
    static func isRunID(_ text: String) -> Bool {
        guard let dash = text.lastIndex(of: "-"), dash != text.startIndex else { return false }
        let digits = text[text.index(after: dash)...]
        return digits.count == 6 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    func run() async throws {
        let params: JSONValue = Self.isRunID(target) ? .object(["runId": .string(target)]) : .object(["job": .string(target)])
        let result = try await global.call("runs.cancel", params)
        if global.json {
            print(result.serialized)
            return
        }
        let cancelled = (result["cancelled"]?.arrayValue ?? []).compactMap(\.stringValue)
        if cancelled.isEmpty {
            print("nothing to cancel")
        } else {
            for id in cancelled { print("cancelled \(id)") }
        }
    }
}
