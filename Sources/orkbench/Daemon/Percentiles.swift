/// Order statistics of a sample, by the nearest-rank method (the value below which `p` percent of the samples
/// lie, itself a sample), so a p99 of 1,000 samples is the 990th smallest and never an interpolation.
struct Percentiles: Sendable {
    let sorted: [Double]

    init(_ values: [Double]) {
        sorted = values.sorted()
    }

    var count: Int { sorted.count }

    func value(at percent: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    var p50: Double { value(at: 50) }
    var p99: Double { value(at: 99) }
    var max: Double { sorted.last ?? .nan }
}

/// The median of repeated measurements (the middle one, or the mean of the two middle ones).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
