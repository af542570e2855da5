import Foundation
import Testing

import OrkestronCore

/// The inputs of the `FuzzCron` fuzzer (Tests/Fuzz) replayed through the same entry on every `make test`: each
/// expression that once crashed or hung it (Regressions/), and each seed (Corpus/, the cron vectors among them).
@Suite("Fuzzer regressions: cron expressions")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// `Regressions/FuzzCron/NAME` and `Corpus/FuzzCron/NAME`, relative to Tests/Fuzz; a folder the fuzzer never
    /// needed is simply absent.
    static let inputs: [String] = ["Regressions", "Corpus"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzDirectory.appendingPathComponent("\(folder)/FuzzCron").path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/FuzzCron/\($0)" }
    }

    /// The fuzzer's own checks (Tests/Fuzz/Sources/FuzzCron): line 1 parses or is an error; a valid expression's
    /// next five fire times in the zone of line 2 (default UTC), after the start of line 3 (default
    /// 2025-03-28T22:00:00Z), are strictly increasing and their ISO 8601 text reads back as the same instant.
    @Test("every regression and seed parses or is refused, and fires in order", arguments: inputs)
    func evaluates(_ input: String) throws {
        let bytes = try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(input))
        let lines = String(decoding: bytes, as: UTF8.self)
            .split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard let expression = try? CronExpression(parsing: lines[0]) else { return }
        let zone = lines.count > 1 ? ZoneRules.named(lines[1]) ?? .utc : .utc
        let start = lines.count > 2 ? Instant(iso8601: lines[2]) ?? Instant(localDateTime: lines[2], in: zone) : nil
        var previous = start ?? Instant(secondsSinceEpoch: 1_743_199_200)
        for fire in CronSchedule(expression: expression, zone: zone).upcoming(after: previous, count: 5) {
            #expect(fire > previous, "\(fire) does not follow \(previous)")
            previous = fire
            guard zone.offsetSeconds(at: fire) % 60 == 0 else { continue }
            #expect(Instant(iso8601: fire.iso8601(in: zone)) == fire)
        }
    }

    /// The folders are found from this file's path; if they moved, the replay above would pass on no input at all.
    @Test("the seed corpus is found")
    func seedsFound() {
        #expect(Self.inputs.contains { $0.hasPrefix("Corpus/") })
    }
}
