import Foundation
import Testing

@testable import OrkestronProtocol

/// `JSONValue.parse` (the hand-written `JSONParser`) against Foundation's `JSONDecoder` through `JSONValue`'s
/// `Decodable` conformance, which it replaced on the daemon's and orkctl's paths: same values, same verdicts.
@Suite("JSON parser")
struct JSONParserTests {
    static let valid: [String] = [
        #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#,
        #"{"b":1,"a":[true,false,null],"c":{"z":"y","x":-0.5e-3}}"#,
        #"  [1, -2, 3.25, 1e3, 1E+2, -0, 0, 9223372036854775807, -9223372036854775808, 9223372036854775808]  "#,
        #""plain""#, #""esc \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 é 😀""#, "42", "null", "true", "[]", "{}",
        #"{"a":1,"a":2}"#, #"[[[[[]]]]]"#, "\t\r\n {\"k\" : [ 1 , 2 ] } \n",
    ]

    static let invalid: [String] = [
        "", " ", "{", "}", "01", "1.", ".5", "-", "+1", "1e", "NaN", "Infinity", "tru",
        "nul", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, #"{"a" 1}"#, #"{1:2}"#, "[1 2]",
        "1 2", #"{"a":1}x"#, "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 601),
    ]

    @Test("valid texts parse to what JSONDecoder made of them", arguments: valid)
    func sameValues(_ text: String) throws {
        let ours = try JSONValue.parse(text)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation, "\(ours.serialized) vs \(foundation.serialized)")
        #expect(ours.serialized == foundation.serialized)
    }

    @Test("invalid texts are refused, as JSONDecoder refuses them", arguments: invalid)
    func refused(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    }

    /// JSONDecoder let a trailing comma pass; RFC 8259 does not, and neither does the parser (SPEC §5: a line is
    /// a JSON text, else -32700).
    @Test("a trailing comma is refused", arguments: ["[1,]", #"{"a":1,}"#, #"{"jsonrpc":"2.0","id":1,"method":"x",}"#])
    func trailingComma(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    /// Integers stay integers (ids are echoed as sent); members come sorted by key, the first duplicate winning.
    @Test("numbers and member order")
    func shapes() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        if case .double(let value) = try JSONValue.parse("9223372036854775808") {
            #expect(value == 9_223_372_036_854_775_808)
        } else {
            Issue.record("an integer beyond Int64 must become a double")
        }
        #expect(try JSONValue.parse(#"{"b":1,"a":2,"b":3}"#).serialized == #"{"a":2,"b":1}"#)
        #expect(try JSONValue.parse(#""\uD83D\uDE00""#) == .string("😀"))
    }

    /// A million `[` must be an error, not a stack overflow: any local user may send one line of 1 MiB.
    @Test("deep nesting is refused, not recursed into")
    func deepNesting() {
        let deep = String(repeating: "[", count: 1 << 20)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let allowed = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect((try? JSONValue.parse(allowed)) != nil)
    }

    /// Every line of the fuzzer's seed corpus and regressions: accepted by both or refused by both, same value.
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
                let foundation = String(validating: data, as: UTF8.self) == nil
                    ? nil : try? JSONDecoder().decode(JSONValue.self, from: data)
                #expect(ours == foundation, "\(folder)/\(name)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }
}
