import ArgumentParser
import Foundation

/// `orkctl`: the operator's client for `orkestrond`.
///
/// Commands that need the daemon talk to it over its Unix socket; `calendar`, `simulate` and `check-config`
/// work offline.
@main
struct Orkctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orkctl",
        abstract: "Control and observe the Orkestron job scheduler.",
        subcommands: [StatusCommand.self, ListCommand.self] + controlCommands + [CalendarCommand.self]
    )

    /// Runs the command, mapping usage errors to exit status 2 (SPEC §6) instead of the parser's 64 (EX_USAGE).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            exit(withError: ExitCode(2))
        }
    }
}
