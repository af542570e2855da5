/// A point on the wall clock, in milliseconds since the Unix epoch (UTC).
///
/// The engine never reads a clock: every input carries the `Instant` at which it happens, so the daemon (real
/// time), the simulator (virtual time) and the tests (a manual clock) drive the same code. Milliseconds are the
/// engine's resolution because every duration in the configuration and on the wire is in milliseconds.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    @inlinable
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    @inlinable
    public init(secondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = secondsSinceEpoch * 1000
    }

    @inlinable
    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    @inlinable
    public static func + (lhs: Instant, milliseconds: Int64) -> Instant {
        Instant(millisecondsSinceEpoch: lhs.millisecondsSinceEpoch &+ milliseconds)
    }

    @inlinable
    public static func - (lhs: Instant, milliseconds: Int64) -> Instant {
        Instant(millisecondsSinceEpoch: lhs.millisecondsSinceEpoch &- milliseconds)
    }

    /// Milliseconds from `other` to `self` (negative when `self` is earlier).
    @inlinable
    public func milliseconds(since other: Instant) -> Int64 {
        millisecondsSinceEpoch - other.millisecondsSinceEpoch
    }

    public var description: String { iso8601UTC }
}
