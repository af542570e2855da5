import OrkestronCore

/// The clocks the engine driver reads, injected so tests can set the wall clock and suspend the machine.
///
/// Slots and events live on the wall clock, which an operator or NTP may set at any time. Two clocks of elapsed
/// time tell such a jump from a suspend: the wall clock should move as much as `elapsedMs` (which counts the
/// time the machine slept), and `elapsedMs` moves more than `awakeMs` only while the machine sleeps.
protocol DriverClock: Sendable {
    func read() -> ClockReading

    /// Nanoseconds from now until `instant` on the wall clock (≤ 0 when it has passed).
    func nanoseconds(until instant: Instant) -> Int64
}

extension DriverClock {
    func nanoseconds(until instant: Instant) -> Int64 {
        instant.milliseconds(since: read().wall) * 1_000_000
    }
}

/// One reading of the three clocks, taken together.
struct ClockReading: Sendable, Hashable {
    /// The wall clock (`CLOCK_REALTIME`).
    var wall: Instant
    /// Milliseconds of elapsed time, suspend included (`CLOCK_BOOTTIME`; Swift's `ContinuousClock` on Linux).
    var elapsedMs: Int64
    /// Milliseconds of elapsed time while the machine was awake (`CLOCK_MONOTONIC`).
    var awakeMs: Int64
}
