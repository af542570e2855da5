import Foundation
import OrkestronCore

/// The real clocks of the machine.
struct SystemClock: DriverClock {
    func read() -> ClockReading {
        ClockReading(
            wall: WallClock.now(), elapsedMs: Self.milliseconds(CLOCK_BOOTTIME),
            awakeMs: Self.milliseconds(CLOCK_MONOTONIC))
    }

    private static func milliseconds(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
