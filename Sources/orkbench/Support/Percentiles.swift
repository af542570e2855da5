import Histogram

/// Percentiles of a recorded distribution, in the unit it was recorded in, as the report shows them.
struct Percentiles: Sendable, Codable, Equatable {
    var count: UInt64
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double

    static let empty = Percentiles(count: 0, p50: 0, p90: 0, p99: 0, max: 0)

    /// From a histogram of integers, divided by `scale` (1,000 turns microseconds into milliseconds).
    init(_ histogram: Histogram<UInt64>, scale: Double = 1) {
        count = histogram.totalCount
        guard count > 0 else {
            self = .empty
            return
        }
        p50 = Double(histogram.valueAtPercentile(50)) / scale
        p90 = Double(histogram.valueAtPercentile(90)) / scale
        p99 = Double(histogram.valueAtPercentile(99)) / scale
        max = Double(histogram.max) / scale
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
