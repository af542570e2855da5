import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl chaos (JOB | --type T) --failure-rate R [--for D]`: runtime failure injection.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chaos", abstract: "Inject failures at runtime.")

    @Argument(help: "The job.")
    var job: String?

    @Option(name: .long, help: "Every job of this type.")
    var type: String?

    @Option(name: .customLong("failure-rate"), help: "A fraction 0–1, or \"off\" to clear.")
    var failureRate: String

    @Option(name: .customLong("for"), help: "How long, e.g. 30s, 5m, 1h, 500ms.")
    var duration: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (job == nil) == (type == nil) { throw ValidationError("Give a job or --type T (exactly one).") }
        if failureRate != "off" {
            guard let rate = Double(failureRate), rate >= 0, rate <= 1 else {
                throw ValidationError("--failure-rate must be a number from 0 to 1, or off.")
            }
        }
        if let duration, DurationText.parse(duration) == nil {
            throw ValidationError("--for must be a duration like 30s, 5m, 1h or 500ms.")
        }
    }

    func run() async throws {
        let rate: JSONValue = failureRate == "off" ? .null : .double(Double(failureRate) ?? 0)
        var members: [(String, JSONValue)] = []
        if let job { members.append(("job", .string(job))) }
        if let type { members.append(("type", .string(type))) }
        members.append(("failureRate", rate))
        if let duration, let ms = DurationText.parse(duration) { members.append(("forMs", .int(ms))) }
        let result = try await global.call("chaos.set", .object(members))
        if global.json {
            print(result.serialized)
            return
        }
        let ids = (result["ids"]?.arrayValue ?? []).compactMap(\.stringValue)
        let what = failureRate == "off" ? "chaos cleared" : "failure rate \(failureRate)" + (duration.map { " for \($0)" } ?? "")
        print(ids.isEmpty ? "no jobs selected" : "\(what): \(ids.joined(separator: ", "))")
    }
}
