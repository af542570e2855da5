import OrkestronCore

/// The clocks the engine driver reads, injected so tests can set the wall clock and suspend the machine.
///
/// Slots and events live on the wall clock, which an operator or NTP may set at any time. Two clocks of elapsed
/// time tell such a jump from a suspend: the wall clock should move as much as `elapsedMs` (which counts the
/// time the machine slept), and `elapsedMs` moves more than `awakeMs` only while the machine sleeps.
protocol DriverClock: Sendable {
    func read() -> ClockReading
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
