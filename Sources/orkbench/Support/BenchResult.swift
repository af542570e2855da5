import Foundation

/// One line of docs/BENCHMARKS.md's table with the numbers behind it: what every measure returns, what
/// `--json PATH` and `orkbench all` write.
struct BenchResult: Codable, Sendable {
    /// The row of issue 7's table this line belongs to (`1`, `3a`, …); a row may have several lines (the engine at
    /// 1k and 100k jobs).
    var row: String
    /// Stable id of the line, e.g. `status.rtt.c1`.
    var measure: String
    /// What the table's first column says.
    var title: String
    /// Median of our repeats (or the percentile the title names); nil when the measure could not run.
    var ours: Double?
    /// The peer's value on the same work in the same run, or nil for a measure without a peer.
    var peer: Double?
    /// The peer and its version (`APScheduler 3.11.0`), or the limit a measure is compared with.
    var peerName: String?
    var unit: String
    /// How far ahead we are: ours / peer when more is better, peer / ours when less is better; above 1 means we
    /// are ahead, whatever the unit.
    var ratio: Double?
    /// The target, as text (`≥ 80% of Redis`, `≤ 50 ms`); `—` for a line that only informs.
    var target: String
    /// Whether the target is met; nil for a line without a target or a measure that could not run.
    var met: Bool?
    var method: String
    /// Every repeat, in the order measured.
    var raw = Raw()
    /// The 1-minute load average when the measure started and ended: the machine is shared.
    var loadAverage: [Double] = []
    /// Further values of the same run (latency percentiles, the daemon's CPU per request, other variants…).
    var details: [String: Double] = [:]
    /// Why the measure could not run, when it could not.
    var error: String?

    struct Raw: Codable, Sendable {
        var ours: [Double] = []
        var peer: [Double] = []
    }

    /// The ratio that reads "above 1 is ahead" (nil without both values).
    static func ratio(ours: Double?, peer: Double?, higherIsBetter: Bool) -> Double? {
        guard let ours, let peer, ours > 0, peer > 0, ours.isFinite, peer.isFinite else { return nil }
        return higherIsBetter ? ours / peer : peer / ours
    }

    /// The line of a measure that could not run: the table says why.
    static func failed(row: String, measure: String, title: String, target: String, error: String) -> BenchResult {
        BenchResult(
            row: row, measure: measure, title: title, unit: "", target: target, method: "",
            loadAverage: [MachineDescription.loadAverage()], error: error)
    }

    /// The human line a subcommand prints.
    var line: String {
        if let error { return "\(row) \(title): could not run: \(error)" }
        var text = "\(row) \(title): ours \(Self.format(ours)) \(unit)"
        if let peer { text += ", \(peerName ?? "peer") \(Self.format(peer)) \(unit)" }
        if let ratio { text += ", ratio \(Self.format(ratio))×" }
        text += ", target \(target)"
        if let met { text += met ? " MET" : " MISSED" }
        text += " (load \(loadAverage.map { String(format: "%.2f", $0) }.joined(separator: "→")))"
        return text
    }

    /// Three significant digits below 100, whole numbers with thousands separators above; `-` for no value.
    static func format(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        let magnitude = abs(value)
        if magnitude >= 100 {
            let digits = String(Int64(value.rounded()).magnitude)
            var grouped = ""
            for (index, character) in digits.reversed().enumerated() {
                if index > 0 && index % 3 == 0 { grouped.append(",") }
                grouped.append(character)
            }
            return (value < 0 ? "-" : "") + String(grouped.reversed())
        }
        if magnitude == 0 { return "0" }
        let decimals = magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        return String(format: "%.\(decimals)f", value)
    }

    /// An encoder for the results: sorted keys, and NaN written as a string rather than failing.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// Prints each line and, when asked, writes the results to `path` as a JSON array.
    static func report(_ results: [BenchResult], to path: String?) throws {
        for result in results { print(result.line) }
        guard let path else { return }
        try encoder.encode(results).write(to: URL(fileURLWithPath: path))
    }
}
