#if canImport(Glibc)
import Glibc
#endif

/// Readings of the machine's clocks, taken the way the daemon takes them (`clock_gettime`).
///
/// Latencies that cross processes (a slot the daemon planned, an event it stamped) are differences on
/// `CLOCK_REALTIME`, the clock both sides read; durations measured by the bench alone use `CLOCK_MONOTONIC`.
enum BenchClock {
    static func wallMicroseconds() -> Int64 {
        nanoseconds(CLOCK_REALTIME) / 1_000
    }

    static func monotonicMicroseconds() -> Int64 {
        nanoseconds(CLOCK_MONOTONIC) / 1_000
    }

    static func monotonicNanoseconds() -> UInt64 {
        UInt64(nanoseconds(CLOCK_MONOTONIC))
    }

    /// Seconds of `CLOCK_MONOTONIC` between two readings of `monotonicNanoseconds`.
    static func seconds(from start: UInt64, to end: UInt64) -> Double {
        Double(end - start) / 1e9
    }

    private static func nanoseconds(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
