import Foundation
import OrkestronCore
import Testing

/// The shared reference vectors (`../shared/testdata/cron-vectors.jsonl`, see its README), read as they are.
@Suite("Cron reference vectors")
struct CronVectorTests {
    /// One line of the vector file; valid lines have `tz`, `from` and `next`, invalid ones `invalid` and `why`.
    struct Vector: Decodable {
        var expr: String
        var tz: String?
        var from: String?
        var next: [String]?
        var equiv: String?
        var invalid: Bool?
        var why: String?
    }

    /// `<repo>/../shared/testdata/cron-vectors.jsonl`; this file is `<repo>/Tests/OrkestronCoreTests/…`.
    static let vectorsURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("shared/testdata/cron-vectors.jsonl")

    static func loadVectors() throws -> [Vector] {
        guard let data = FileManager.default.contents(atPath: vectorsURL.path) else {
            Issue.record("cron vectors not found at \(vectorsURL.path): shared/ must sit beside the repository")
            return []
        }
        let decoder = JSONDecoder()
        return try String(decoding: data, as: UTF8.self)
            .split(separator: "\n")
            .filter { !$0.allSatisfy(\.isWhitespace) }
            .map { try decoder.decode(Vector.self, from: Data($0.utf8)) }
    }

    /// The first eight fire instants of `expr` in `zone` strictly after `from` (`upcoming` iterates `next(after:)`).
    static func fireTimes(_ expr: String, zone: ZoneRules, from: Instant) throws -> [Instant] {
        CronSchedule(expression: try CronExpression(parsing: expr), zone: zone).upcoming(after: from, count: 8)
    }

    /// Every valid vector's eight instants come out of `next(after:)` in order, DST cases included.
    @Test("valid vectors fire at exactly the listed instants")
    func validVectorsMatch() throws {
        let vectors = try Self.loadVectors().filter { $0.invalid != true }
        #expect(vectors.count == 220, "expected the file's 220 valid vectors")
        var mismatches = 0
        for vector in vectors {
            guard let tz = vector.tz, let zone = ZoneRules.named(tz) else {
                Issue.record("\(vector.expr): unknown zone \(vector.tz ?? "nil")")
                mismatches += 1
                continue
            }
            guard let fromText = vector.from, let from = Instant(iso8601: fromText) else {
                Issue.record("\(vector.expr): unreadable from \(vector.from ?? "nil")")
                mismatches += 1
                continue
            }
            let expected = (vector.next ?? []).compactMap { Instant(iso8601: $0) }
            #expect(expected.count == 8, "\(vector.expr): unreadable next list")
            do {
                let actual = try Self.fireTimes(vector.expr, zone: zone, from: from)
                if actual != expected {
                    mismatches += 1
                    Issue.record(
                        """
                        \(vector.expr) in \(tz) after \(fromText):
                          expected \(expected.map { $0.iso8601(in: zone) })
                          actual   \(actual.map { $0.iso8601(in: zone) })
                        """)
                }
                if let equiv = vector.equiv {
                    let equivalent = try Self.fireTimes(equiv, zone: zone, from: from)
                    #expect(equivalent == expected, "\(equiv) (equivalent of \(vector.expr)) in \(tz)")
                }
            } catch {
                mismatches += 1
                Issue.record("\(vector.expr) was rejected: \(error)")
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(vectors.count) vectors differ")
    }

    /// Every invalid vector is rejected with a message that names a field or the expression's shape.
    @Test("invalid vectors are rejected with a message naming the field")
    func invalidVectorsAreRejected() throws {
        let vectors = try Self.loadVectors().filter { $0.invalid == true }
        #expect(vectors.count == 30, "expected the file's 30 invalid vectors")
        for vector in vectors {
            do {
                let expression = try CronExpression(parsing: vector.expr)
                Issue.record("\(vector.expr) (\(vector.why ?? "")) was accepted as \(expression.normalized)")
            } catch {
                #expect(!error.token.isEmpty, "\(vector.expr): error without a token")
                let named = error.field != nil || error.message.contains("fields") || error.message.contains("macro")
                #expect(named, "\(vector.expr): \(error.description) names no field")
            }
        }
    }
}
