import Foundation
import OrkestronClient
import OrkestronConsole
import OrkestronCore
import OrkestronProtocol

extension GlobalOptions {
    /// Colors only on a terminal, and never with `--no-color` or `NO_COLOR`.
    var colors: Colors {
        Colors(enabled: !noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty && isatty(1) == 1)
    }

    /// The context of human output: now, the system's zone, colors as above.
    var context: ConsoleContext {
        ConsoleContext(now: WallClockNow.instant, colors: colors)
    }

    /// Runs `body` with a connection, mapping an unreachable daemon to exit 3 and a daemon error to exit 1.
    func withClient<Result: Sendable>(_ body: (ControlClient) async throws -> Result) async throws -> Result {
        do {
            return try await ControlClient.withConnection(socketPath: socketPath) { client in
                try await body(client)
            }
        } catch let error as ClientError {
            Self.fail(error.description, code: 3)
        } catch let error as RPCError {
            Self.fail(error.message, code: 1)
        }
    }
}
