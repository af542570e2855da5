/// ANSI colors for statuses; the caller decides whether they are on (a terminal, no `--no-color`, no `NO_COLOR`).
public struct Colors: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    public func paint(_ text: String, code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A status colored by its meaning: green success, red failure, yellow waiting.
    public func status(_ status: String) -> String {
        switch status {
        case "SUCCESS", "RESUMED": return paint(status, code: "32")
        case "FAILED", "TIMEOUT", "INTERRUPTED", "CANCELLED": return paint(status, code: "31")
        case "RETRY", "DEFERRED", "SKIPPED", "PAUSED", "STALE", "CHAOS": return paint(status, code: "33")
        case "RUNNING": return paint(status, code: "36")
        default: return status
        }
    }
}
