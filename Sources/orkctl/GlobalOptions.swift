import ArgumentParser
import Foundation
import OrkestronClient
import OrkestronProtocol

/// Options every command that talks to the daemon accepts, before or after the subcommand.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Control socket (default: $ORKESTRON_SOCKET, else \(ProtocolInfo.defaultSocketPath)).")
    var socket: String?

    @Flag(name: .long, help: "Machine output: one JSON document.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "No colors (also when NO_COLOR is set).")
    var noColor = false

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["ORKESTRON_SOCKET"] ?? ProtocolInfo.defaultSocketPath
    }

    /// Calls one method, mapping failures to the exit codes of SPEC §6: 1 for a daemon error, 3 when the
    /// daemon cannot be reached or does not answer within `timeout`.
    func call(
        _ method: String, _ params: JSONValue = .object([]), timeout: Duration? = ControlClient.answerTimeout
    ) async throws -> JSONValue {
        try await withClient { client in try await client.call(method, params, timeout: timeout) }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("orkctl: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
