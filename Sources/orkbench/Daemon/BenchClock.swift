#if canImport(Glibc)
import Glibc
#endif

/// Readings of the machine's clocks in microseconds, taken the way the daemon takes them (`clock_gettime`).
///
/// Latencies that cross processes (a slot the daemon planned, an event it stamped) are differences on
/// `CLOCK_REALTIME`, the clock both sides read; durations measured by the benchmark alone use `CLOCK_MONOTONIC`.
enum BenchClock {
    static func wallMicroseconds() -> Int64 {
        read(CLOCK_REALTIME)
    }

    static func monotonicMicroseconds() -> Int64 {
        read(CLOCK_MONOTONIC)
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }

    /// The machine's 1-minute load average, printed beside every measurement (the machine is shared).
    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : -1
    }
}
