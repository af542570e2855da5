import Foundation
import OrkestronClient
import OrkestronProtocol

/// ANSI colors, only on a terminal and never with `--no-color` or `NO_COLOR`.
struct Colors {
    var enabled: Bool

    init(noColor: Bool) {
        let environment = ProcessInfo.processInfo.environment
        enabled = !noColor && (environment["NO_COLOR"] ?? "").isEmpty && isatty(1) == 1
    }

    func paint(_ text: String, code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A status colored by its meaning: green success, red failure, yellow waiting.
    func status(_ status: String) -> String {
        switch status {
        case "SUCCESS", "RESUMED": return paint(status, code: "32")
        case "FAILED", "TIMEOUT", "INTERRUPTED", "CANCELLED": return paint(status, code: "31")
        case "RETRY", "DEFERRED", "SKIPPED", "PAUSED", "STALE", "CHAOS": return paint(status, code: "33")
        case "RUNNING": return paint(status, code: "36")
        default: return status
        }
    }
}

extension GlobalOptions {
    var colors: Colors { Colors(noColor: noColor) }

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
