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

    /// Global options given before the subcommand (`orkctl --socket X list`) are moved after it, where each
    /// command's `GlobalOptions` group parses them: the parser has no options inherited from the root.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" || argument == "--no-color" || argument.hasPrefix("--socket=") {
                leading.append(argument)
                index += 1
            } else if argument == "--socket", index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        return Array(arguments[index...]) + leading
    }

    /// Runs the command, mapping usage errors to exit status 2 (SPEC §6) instead of the parser's 64 (EX_USAGE).
    static func main() async {
        do {
            var command = try parseAsRoot(Self.movingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
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
