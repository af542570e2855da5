import ArgumentParser
import Foundation
import OrkestronProtocol

/// Selection of jobs for `pause` and `resume`: ids, a type, or all.
struct JobSelection: ParsableArguments {
    @Argument(help: "The jobs.")
    var jobs: [String] = []

    @Option(name: .long, help: "Every job of this type.")
    var type: String?

    @Flag(name: .long, help: "Every job.")
    var all = false

    func validate() throws {
        let count = (jobs.isEmpty ? 0 : 1) + (type == nil ? 0 : 1) + (all ? 1 : 0)
        if count != 1 { throw ValidationError("Give job ids, --type T or --all (exactly one).") }
    }

    var params: JSONValue {
        if all { return .object(["all": .bool(true)]) }
        if let type { return .object(["type": .string(type)]) }
        return .object(["ids": JSONValue(jobs)])
    }

    /// Runs `method` and prints which jobs changed and which already were `already`.
    func apply(_ method: String, verb: String, already: String, global: GlobalOptions) async throws {
        let result = try await global.call(method, params)
        if global.json {
            print(result.serialized)
            return
        }
        let ids = (result["ids"]?.arrayValue ?? []).compactMap(\.stringValue)
        let changed = Set((result["changed"]?.arrayValue ?? []).compactMap(\.stringValue))
        if ids.isEmpty {
            print("no jobs selected")
            return
        }
        for id in ids {
            print(changed.contains(id) ? "\(id): \(verb)" : "\(id): already \(already)")
        }
    }
}

/// `orkctl pause JOB… | --type T | --all`.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause jobs (persisted).")

    @OptionGroup var selection: JobSelection
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await selection.apply("jobs.pause", verb: "paused", already: "paused", global: global)
    }
}
