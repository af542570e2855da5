import Histogram

/// Percentiles of a distribution, in the unit it was recorded in, as the reports show them.
///
/// From a histogram (the load test records hundreds of thousands of latencies) or from the samples themselves
/// by the nearest-rank method (the value below which `p` percent of the samples lie, itself a sample, so a p99
/// of 1,000 samples is the 990th smallest and never an interpolation).
struct Percentiles: Sendable, Codable, Equatable {
    var count: UInt64
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double

    /// Zeros, as the load test reports a phase that measured nothing (the count says so).
    static let empty = Percentiles(count: 0, p50: 0, p90: 0, p99: 0, max: 0)

    /// From a histogram of integers, divided by `scale` (1,000 turns microseconds into milliseconds).
    init(_ histogram: Histogram<UInt64>, scale: Double = 1) {
        guard histogram.totalCount > 0 else {
            self = .empty
            return
        }
        count = histogram.totalCount
        p50 = Double(histogram.valueAtPercentile(50)) / scale
        p90 = Double(histogram.valueAtPercentile(90)) / scale
        p99 = Double(histogram.valueAtPercentile(99)) / scale
        max = Double(histogram.max) / scale
    }

    /// From the samples, by nearest rank.
    init(_ samples: [Double]) {
        guard !samples.isEmpty else {
            self = .empty
            return
        }
        let sorted = samples.sorted()
        func rank(_ percent: Double) -> Double {
            let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
            return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
        }
        self.init(count: UInt64(sorted.count), p50: rank(50), p90: rank(90), p99: rank(99), max: sorted[sorted.count - 1])
    }

    init(count: UInt64, p50: Double, p90: Double, p99: Double, max: Double) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }

    /// A histogram for values up to `highest` with three significant digits.
    static func histogram(highest: UInt64) -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
    }
}
