import Foundation
import OrkestronCore
import Testing

@testable import OrkestronProtocol

/// The one-pass scanner behind `JSONValue.parse` against the `Decodable` path it replaces: the same value for
/// what it reads, and nil (so the decoder decides, with its own messages) for everything else.
@Suite("JSONScanner")
struct JSONScannerTests {
    static func scanned(_ text: String) -> JSONValue? {
        Data(text.utf8).withUnsafeBytes { JSONScanner.parse($0) }
    }

    static func decoded(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// The scanner's value equals the decoder's and serializes to the same text.
    static func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let scanned = Self.scanned(text)
        let decoded = Self.decoded(text)
        #expect(scanned != nil, "the scanner refused \(text)", sourceLocation: sourceLocation)
        #expect(scanned == decoded, "\(text)", sourceLocation: sourceLocation)
        #expect(scanned?.serialized == decoded?.serialized, "\(text)", sourceLocation: sourceLocation)
    }

    @Test("request lines, answers and events read as the decoder reads them, object keys sorted")
    func protocolLines() {
        for text in [
            #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#,
            #"{"jsonrpc": "2.0", "id": "a", "method": "jobs.get", "params": {"id": "sync_001"}}"#,
            #"[{"jsonrpc":"2.0","id":1,"method":"x"},{"jsonrpc":"2.0","method":"y","params":[1,2,3]}]"#,
            #"{"seq":1834,"time":"2026-11-29T08:00:01.842Z","jobId":"sync_001","runId":null,"durationMs":842,"nextRetryIn":4000.5,"reason":"simulated failure"}"#,
            #"{"b":1,"a":{"d":[true,false,null],"c":-0.25e-3}}"#,
            " \t\r\n{ } ", "[]", "[[],{},[[]]]", "0", "-0", "12", "-9223372036854775808", "9223372036854775807",
            "9223372036854775808", "1.5", "1e3", "1E+2", "-2.5e-7", "true", "null", #""""#,
            #""\"\\\/\b\f\n\r\t""#, #""\u00e9\u4e2d\uD83D\uDE00""#, "\"caf\u{E9} \u{1F600}\"",
        ] {
            Self.expectSame(text)
        }
    }

    @Test("what the scanner leaves to the decoder: malformed text and valid corners it does not decide")
    func leftToDecoder() {
        for text in [
            "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", ".5", "1e", "+1", "tru", "truex", "nul",
            "[1 2]", "{\"a\":1}x", "\"open", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uDC00\"", "\"a\u{01}b\"",
            "{\"a\":1,\"a\":2}", "1e400", "{1:2}",
        ] {
            #expect(Self.scanned(text) == nil, "\(text)")
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(Self.scanned(deep) == nil)
    }

    @Test("random documents: serialized and read back, the scanner agrees with the decoder")
    func randomDocuments() {
        var random = SplitMix64(seed: 6)
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, random: &random)
            Self.expectSame(value.serialized)
        }
    }

    static func randomValue(depth: Int, random: inout SplitMix64) -> JSONValue {
        let kinds: Int64 = depth > 3 ? 5 : 7
        switch random.next(in: 0, kinds - 1) {
        case 0: return .null
        case 1: return .bool(random.next() & 1 == 0)
        case 2: return .int(Int64(bitPattern: random.next()) >> random.next(in: 0, 62))
        case 3: return .double((random.nextUnit() - 0.5) * pow(10, Double(random.next(in: -8, 8))))
        case 4:
            let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u{01}", "é", "中", "😀", "/"]
            return .string(String((0..<random.next(in: 0, 12)).map { _ in alphabet[Int(random.next(in: 0, Int64(alphabet.count - 1)))] }))
        case 5:
            return .array((0..<random.next(in: 0, 4)).map { _ in randomValue(depth: depth + 1, random: &random) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.next(in: 0, 4) {
                members["k\(random.next(in: 0, 20))"] = randomValue(depth: depth + 1, random: &random)
            }
            return .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }
}
