import ArgumentParser
import Foundation
import OrkestronProtocol

/// `orkctl resume JOB… | --type T | --all`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume paused jobs.")

    @OptionGroup var selection: JobSelection
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await selection.apply("jobs.resume", verb: "resumed", already: "active", global: global)
    }
}
