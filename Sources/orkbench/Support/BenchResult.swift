import Foundation

/// One measure's outcome: what `--json PATH` writes and what docs/BENCHMARKS.md's table is made from.
struct BenchResult: Codable {
    /// Stable id of the measure, e.g. `status.rtt.c1`.
    var measure: String
    /// Median of our repeats.
    var ours: Double
    /// Median of the peer's repeats, or nil for a measure without a peer.
    var peer: Double?
    var unit: String
    /// ours / peer when more is better, peer / ours when less is better (so above 1 means we are better).
    var ratio: Double?
    /// The target, as text (`≥ 0.8 of peer`, `≤ 50 ms`).
    var target: String
    /// Whether the median meets the target.
    var met: Bool
    var method: String
    /// Every repeat, in the order measured.
    var raw: Raw
    /// /proc/loadavg's 1-minute average before and after the measurement: the machine is shared.
    var loadAverage: [Double]
    /// Extra values measured in the same run (latency percentiles, the other variant of the peer...).
    var details: [String: Double] = [:]

    struct Raw: Codable {
        var ours: [Double]
        var peer: [Double]
    }

    /// The human line a subcommand prints.
    var line: String {
        let peerText = peer.map { " peer \(Self.format($0)) \(unit)" } ?? ""
        let ratioText = ratio.map { " ratio \(String(format: "%.2f", $0))" } ?? ""
        let load = loadAverage.map { String(format: "%.2f", $0) }.joined(separator: "→")
        return "\(measure): ours \(Self.format(ours)) \(unit)\(peerText)\(ratioText) target \(target) "
            + "\(met ? "MET" : "MISSED") (load \(load))"
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.3g", value)
    }

    /// Prints the line and writes the JSON file when asked.
    static func report(_ results: [BenchResult], to path: String?) throws {
        for result in results { print(result.line) }
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(results.count == 1 ? AnyResults.one(results[0]) : AnyResults.many(results))
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// One result as an object, several (a measure with variants) as an array of them.
    enum AnyResults: Encodable {
        case one(BenchResult)
        case many([BenchResult])

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .one(let result): try result.encode(to: encoder)
            case .many(let results): try results.encode(to: encoder)
            }
        }
    }
}
