import OrkestronCore

/// "in 2m 14s", "3s ago": times relative to now, as operators read them.
enum RelativeTime {
    static func duration(ms: Int64) -> String {
        var seconds = max(ms, 0) / 1000
        if seconds < 60 { return ms < 1000 ? "\(max(ms, 0))ms" : "\(seconds)s" }
        let days = seconds / 86_400
        seconds %= 86_400
        let hours = seconds / 3600
        seconds %= 3600
        let minutes = seconds / 60
        seconds %= 60
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(seconds)s"
    }

    static func since(_ instant: Instant, now: Instant) -> String {
        duration(ms: now.milliseconds(since: instant)) + " ago"
    }

    static func until(_ instant: Instant, now: Instant) -> String {
        let ms = instant.milliseconds(since: now)
        return ms <= 0 ? "now" : "in " + duration(ms: ms)
    }
}
