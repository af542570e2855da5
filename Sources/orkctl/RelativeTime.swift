import OrkestronCore
import OrkestronProtocol

/// "in 2m 14s", "3s ago": times relative to now, as operators read them.
enum RelativeTime {
    /// "412ms", "42s", "2m 14s", "3h 5m", "2d 4h": the dashboard's format, so every screen agrees.
    static func duration(ms: Int64) -> String {
        DashboardFormat.duration(ms: ms)
    }

    static func since(_ instant: Instant, now: Instant) -> String {
        duration(ms: now.milliseconds(since: instant)) + " ago"
    }

    static func until(_ instant: Instant, now: Instant) -> String {
        let ms = instant.milliseconds(since: now)
        return ms <= 0 ? "now" : "in " + duration(ms: ms)
    }
}
