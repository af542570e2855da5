import Foundation

/// One row of docs/BENCHMARKS.md: a measure, our value, the peer's, their ratio, the target and how it was
/// measured, with the raw values of every repeat so a reader can check the summary.
///
/// Written with `--json PATH` as one JSON object; `make bench` collects the files into the document's table.
struct MeasureReport: Codable, Sendable {
    var measure: String
    var title: String
    var unit: String
    var ours: Double
    var peer: Double?
    var peerName: String?
    /// ours / peer, when there is a peer.
    var ratio: Double?
    var target: String
    var met: Bool
    var method: String
    /// The 1-minute load average when the measurement started and ended.
    var loadAverage: [Double]
    /// Further named values (p50, max, other workloads…), each in `unit`.
    var details: [String: Double]
    /// Every repeat's raw value(s), by name.
    var raw: [String: [Double]]

    /// `3a  start lateness p99  ours 0.081 ms  peer 1.9 ms  ratio 0.04  target ≤ 0.2 ms and ≤ ½ peer  MET  (load 1.2)`
    var humanLine: String {
        var line = "\(measure)  \(title): ours \(Self.format(ours)) \(unit)"
        if let peer { line += "  \(peerName ?? "peer") \(Self.format(peer)) \(unit)" }
        if let ratio { line += "  ratio \(Self.format(ratio))" }
        line += "  target \(target)  \(met ? "MET" : "MISSED")"
        line += "  (load \(loadAverage.map { Self.format($0) }.joined(separator: "→")))"
        return line
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value == value.rounded() && abs(value) < 1e9 { return String(Int64(value)) }
        let magnitude = abs(value)
        let digits = magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3
        return String(format: "%.\(digits)f", value)
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // NaN (a measure with no sample) is not JSON: it is written as the string "NaN" rather than failing.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    /// Prints the human line and, with `--json`, writes the file.
    func emit(json path: String?) throws {
        print(humanLine)
        if let path { try write(to: path) }
    }
}
