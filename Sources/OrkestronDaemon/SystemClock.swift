import Foundation
import OrkestronCore

/// The real clocks of the machine.
struct SystemClock: DriverClock {
    func read() -> ClockReading {
        ClockReading(
            wall: WallClock.now(), elapsedMs: Self.milliseconds(CLOCK_BOOTTIME),
            awakeMs: Self.milliseconds(CLOCK_MONOTONIC))
    }

    /// To the nanosecond: the driver sleeps until a slot's millisecond begins, not a whole number of milliseconds
    /// counted from a reading that may already be up to 1 ms old (which made every start up to 1 ms late).
    func nanoseconds(until instant: Instant) -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return instant.millisecondsSinceEpoch * 1_000_000 - (Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    private static func milliseconds(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
