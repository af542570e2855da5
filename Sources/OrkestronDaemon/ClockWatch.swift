import OrkestronCore

/// Tells, from successive readings of the clocks, whether the wall clock was set or the machine slept.
///
/// The engine only sees wall-clock instants; without this it would take a clock set a day forward for a day that
/// passed (and start every slot of it at once), a clock set back for time standing still (and wait for it), and a
/// night of suspend for slots that are merely late. Differences below `thresholdMs` are scheduling noise and NTP
/// slewing, which the engine follows as ordinary time.
///
/// ```swift
/// var watch = ClockWatch(first: clock.read())
/// let change = watch.observe(clock.read())   // .wallShiftMs == 3_600_000 after `date -s '+1 hour'`
/// ```
struct ClockWatch: Sendable {
    /// What happened between two readings.
    struct Change: Sendable, Hashable {
        /// How long the machine slept, when it did.
        var suspendedMs: Int64?
        /// How far the wall clock moved beyond the elapsed time (negative: set back), when it was set.
        var wallShiftMs: Int64?

        var isEmpty: Bool { suspendedMs == nil && wallShiftMs == nil }
    }

    /// A difference between the clocks beyond this is a jump or a suspend, not noise.
    static let thresholdMs: Int64 = 2_000

    private(set) var last: ClockReading

    init(first: ClockReading) {
        last = first
    }

    mutating func observe(_ reading: ClockReading) -> Change {
        let elapsed = reading.elapsedMs - last.elapsedMs
        let slept = elapsed - (reading.awakeMs - last.awakeMs)
        let shift = reading.wall.milliseconds(since: last.wall) - elapsed
        last = reading
        return Change(
            suspendedMs: slept > Self.thresholdMs ? slept : nil,
            wallShiftMs: abs(shift) > Self.thresholdMs ? shift : nil)
    }
}
