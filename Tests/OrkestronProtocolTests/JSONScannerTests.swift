import Foundation
import OrkestronCore
import Testing

@testable import OrkestronProtocol

/// The one-pass scanner behind `JSONValue.parse` against the `Decodable` path it replaces: the same value for
/// what it reads, and nil (so the decoder decides, with its own messages) for everything else.
@Suite("JSONScanner")
struct JSONScannerTests {
    static func scanned(_ text: String) -> JSONValue? {
        Data(text.utf8).withUnsafeBytes { try? JSONScanner.parse($0) }
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
            "", " ", "{", "{\"a\" 1}", "01", "1.", ".5", "1e", "+1", "tru", "truex", "nul",
            "[1 2]", "{\"a\":1}x", "\"open", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uDC00\"", "\"a\u{01}b\"",
            "{\"a\":1,\"a\":2}", "1e400", "{1:2}",
        ] {
            #expect(Self.scanned(text) == nil, "\(text)")
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(Self.scanned(deep) == nil)
    }

    /// Malformed texts: whether the scanner refuses them itself (a trailing comma) or leaves them to the decoder,
    /// `JSONValue.parse` throws, as JSONDecoder did before the scanner.
    @Test(
        "malformed texts are refused",
        arguments: [
            "", " ", "{", "}", "01", "1.", ".5", "-", "+1", "1e", "NaN", "Infinity", "tru", "nul", #""unterminated"#,
            "\"tab\there\"", #""\x""#, #""\u12""#, #"{"a" 1}"#, #"{1:2}"#, "[1 2]", "1 2", #"{"a":1}x"#,
            "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 601),
        ])
    func malformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    /// JSONDecoder lets a trailing comma pass; RFC 8259 does not, so the scanner refuses it rather than hand it to
    /// the decoder, and the line is a parse error (SPEC §5: -32700), at any depth and with whitespace before the
    /// bracket.
    @Test(
        "a trailing comma is a parse error",
        arguments: [
            "[1,]", #"{"a":1,}"#, "[1 , ]", #"{"jsonrpc":"2.0","id":1,"method":"x",}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"x","params":{"ids":["a",]}}"#, "[[],[1,],2]",
        ])
    func trailingComma(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        guard case .failed(let response) = RPCLine.parse(Data(text.utf8)), case .failure(let error) = response.outcome
        else {
            Issue.record("\(text) was not refused as a whole line")
            return
        }
        #expect(error.code == RPCError.parseErrorCode)
    }

    /// Integers stay integers (ids are echoed as sent), one beyond Int64 becomes a double; surrogate pairs join.
    @Test("numbers and escapes keep their kind")
    func shapes() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        if case .double(let value) = try JSONValue.parse("9223372036854775808") {
            #expect(value == 9_223_372_036_854_775_808)
        } else {
            Issue.record("an integer beyond Int64 must become a double")
        }
        #expect(try JSONValue.parse(#""\uD83D\uDE00""#) == .string("😀"))
    }

    /// A million `[` must be an error, not a stack overflow: any local user may send one line of 1 MiB. 512 levels
    /// still read.
    @Test("deep nesting is refused, not recursed into")
    func deepNesting() {
        let deep = String(repeating: "[", count: 1 << 20)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let allowed = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(Self.scanned(allowed) != nil)
    }

    /// Every input of the fuzzer's seed corpus and regressions: `JSONValue.parse` gives what JSONDecoder gave, or
    /// refuses what it refused, except a trailing comma, which only the decoder accepted.
    @Test("the fuzzer's corpus parses as JSONDecoder parsed it")
    func corpus() throws {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz")
        var checked = 0
        for folder in ["Corpus/FuzzProtocol", "Regressions/FuzzProtocol"] {
            let directory = fuzz.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                let ours = try? JSONValue.parse(data)
                let foundation =
                    String(validating: data, as: UTF8.self) == nil
                    ? nil : try? JSONDecoder().decode(JSONValue.self, from: data)
                let scannerRefused = data.withUnsafeBytes { bytes in
                    do {
                        _ = try JSONScanner.parse(bytes)
                        return false
                    } catch {
                        return true
                    }
                }
                #expect(ours == foundation || (ours == nil && scannerRefused), "\(folder)/\(name)")
                checked += 1
            }
        }
        #expect(checked > 0)
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
