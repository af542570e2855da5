import Foundation
import OrkestronCore
import OrkestronProtocol

/// What every human view needs besides the daemon's answer: the current time (for "in 2m 14s" and "3s ago"),
/// the zone absolute times are shown in, and whether statuses are colored. Injected, so views are pure.
public struct ConsoleContext: Sendable {
    public var now: Instant
    public var timeZone: TimeZone
    public var colors: Colors

    public init(now: Instant, timeZone: TimeZone = .current, colors: Colors = Colors(enabled: false)) {
        self.now = now
        self.timeZone = timeZone
        self.colors = colors
    }

    /// "412ms", "42s", "2m 14s", "3h 5m", "2d 4h": the dashboard's format, so every screen agrees.
    public static func duration(ms: Int64) -> String {
        DashboardFormat.duration(ms: ms)
    }

    public func since(_ instant: Instant) -> String {
        Self.duration(ms: now.milliseconds(since: instant)) + " ago"
    }

    public func until(_ instant: Instant) -> String {
        let ms = instant.milliseconds(since: now)
        return ms <= 0 ? "now" : "in " + Self.duration(ms: ms)
    }

    /// "in 2m 14s" for the future, "3s ago" for the past.
    public func relative(_ instant: Instant) -> String {
        instant.milliseconds(since: now) > 0 ? until(instant) : since(instant)
    }

    /// `2026-11-29 09:14:03` in the context's zone.
    public func local(_ instant: Instant) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
    }
}

extension JSONValue {
    /// The instant of an ISO 8601 string field, if it is one.
    var instant: Instant? { stringValue.flatMap(Instant.init(iso8601:)) }
}
