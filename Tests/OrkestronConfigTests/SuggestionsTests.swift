import OrkestronCore
import Testing

@testable import OrkestronConfig

/// The "did you mean" distance: computing only the band near the diagonal must give what the whole table gives.
@Suite("Suggestions")
struct SuggestionsTests {
    @Test("the banded edit distance equals the whole table's wherever it is within the limit")
    func bandedDistanceMatchesFullTable() {
        var random = SplitMix64(seed: 7, stream: "suggestions")
        let alphabet = Array("abc/_".unicodeScalars)
        func word() -> String {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<random.next(in: 0, 12) { scalars.append(alphabet[Int(random.next(in: 0, 4))]) }
            return String(scalars)
        }
        for _ in 0..<5_000 {
            let (a, b) = (word(), word())
            let limit = Int(random.next(in: 0, 5))
            let full = Self.fullDistance(a, b)
            let banded = Suggestions.editDistance(a, b, limit: limit)
            #expect(full <= limit ? banded == full : banded > limit, "\(a) \(b) limit \(limit)")
        }
    }

    @Test("a misspelt zone name gets the closest zone")
    func zoneSuggestion() {
        #expect(Suggestions.closest(to: "Europe/Berln", in: ["America/Berlin", "Europe/Berlin"]) == "Europe/Berlin")
        #expect(Suggestions.closest(to: "Erope/Pairs", in: ["Europe/Paris", "Europe/Prague"]) == "Europe/Paris")
        #expect(Suggestions.closest(to: String(repeating: "x", count: 300), in: ["Europe/Paris"]) == nil)
    }

    /// Optimal string alignment over the whole table, the definition the banded version must agree with.
    static func fullDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
