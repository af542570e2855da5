import Foundation

/// Medians and percentiles of measured values.
enum Statistics {
    static func median(_ values: [Double]) -> Double {
        percentile(values, 0.5)
    }

    /// Nearest-rank percentile (`p` from 0 to 1) of unsorted values.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        precondition(!values.isEmpty, "no values")
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Nanoseconds of the monotonic clock.
    static func nowNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// The 1-minute load average (/proc/loadavg), recorded beside every measurement on this shared machine.
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let first = text.split(separator: " ").first, let value = Double(first)
        else { return -1 }
        return value
    }
}
