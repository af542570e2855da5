import OrkestronMetrics

/// The values of one latency of one job (durations, start lateness or queue wait), kept whole for exact
/// percentiles.
///
/// Milliseconds are stored in 32 bits (up to 24 days; longer values are clamped), which halves the memory of a
/// simulated day of a large configuration and the time to sort it.
struct Samples {
    /// The values above zero; zeros (most waits and lateness in a simulation) are only counted.
    private(set) var values: [Int32] = []
    private(set) var zeros = 0

    var count: Int { zeros + values.count }

    mutating func append(_ ms: Int64) {
        if ms <= 0 {
            zeros += 1
        } else {
            values.append(Int32(clamping: ms))
        }
    }

    /// Every value, zeros first, sorted.
    var sorted: [Int32] {
        var all = Array(repeating: Int32(0), count: zeros)
        all.append(contentsOf: values.sorted())
        return all
    }

    /// Count, p50, p90, p99 and max by the nearest-rank method (the same rank the HDR histograms of the daemon's
    /// metrics use, without their bucket rounding).
    static func percentiles(of sorted: [Int32]) -> Percentiles {
        guard let last = sorted.last else { return Percentiles() }
        func rank(_ p: Double) -> Int64 {
            let index = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return Int64(sorted[min(max(index, 1), sorted.count) - 1])
        }
        return Percentiles(count: sorted.count, p50: rank(50), p90: rank(90), p99: rank(99), max: Int64(last))
    }

    /// The percentiles of this sample.
    var percentiles: Percentiles { Self.percentiles(of: sorted) }

    /// The percentiles of several samples together (a type, or all jobs).
    static func percentiles(of samples: [Samples]) -> Percentiles {
        var merged = Samples()
        merged.values.reserveCapacity(samples.reduce(0) { $0 + $1.values.count })
        for sample in samples {
            merged.zeros += sample.zeros
            merged.values.append(contentsOf: sample.values)
        }
        return merged.percentiles
    }
}
