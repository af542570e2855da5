/// "Did you mean …?" for misspelt keys, enum values, job ids and zone names; public so that `orkctl simulate`
/// suggests job and type names the same way the loader does.
public enum Suggestions {
    /// The candidate closest to `word`: within edit distance 2 (a third of the word for long words; a
    /// transposition counts once), or one that `word` is a prefix of (at least 3 characters), or that is a prefix
    /// of `word`. Ties go to the earlier candidate, so callers list the likelier ones first.
    public static func closest<Candidates: Sequence<String>>(to word: String, in candidates: Candidates) -> String? {
        let lowered = word.lowercased()
        let limit = max(2, lowered.unicodeScalars.count / 3)
        var best: (candidate: String, score: Int)?
        for candidate in candidates where candidate != word {
            let other = candidate.lowercased()
            var score = Int.max
            let distance = editDistance(lowered, other, limit: limit)
            if distance <= limit {
                score = distance
            } else if lowered.count >= 3, other.hasPrefix(lowered) || lowered.hasPrefix(other), other.count >= 3 {
                score = limit + 1
            }
            if score != Int.max, score < (best?.score ?? Int.max) {
                best = (candidate, score)
            }
        }
        return best?.candidate
    }

    /// `" (did you mean \"x\"?)"`, or nothing.
    static func hint<Candidates: Sequence<String>>(for word: String, in candidates: Candidates) -> String {
        guard let suggestion = closest(to: word, in: candidates) else { return "" }
        return " (did you mean \"\(suggestion)\"?)"
    }

    /// Optimal string alignment distance, giving up (returning `limit + 1`) once it must exceed `limit`.
    ///
    /// Only the band of cells within `limit` of the diagonal is computed (a cell further away is at least that
    /// far): a misspelt zone name is compared with each of the ~600 zone identifiers, and a long one made the
    /// whole table the config loader's largest cost.
    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        let beyond = limit + 1
        if abs(a.count - b.count) > limit { return beyond }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previousPrevious = [Int](repeating: beyond, count: b.count + 1)
        var previous = (0...b.count).map { min($0, beyond) }
        var current = [Int](repeating: beyond, count: b.count + 1)
        for i in 1...a.count {
            let low = max(1, i - limit)
            let high = min(b.count, i + limit)
            current[0] = min(i, beyond)
            current[low - 1] = low == 1 ? current[0] : beyond
            var rowMinimum = beyond
            for j in low...high {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = min(value, beyond)
                rowMinimum = min(rowMinimum, value)
            }
            if high < b.count { current[high + 1] = beyond }
            if rowMinimum > limit { return beyond }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
