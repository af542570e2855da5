extension Array where Element == Double {
    /// The median of repeated measurements: the middle one, or the mean of the two middle ones (NaN when empty).
    var median: Double {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
