import Foundation
import Testing

import OrkestronProtocol

/// The inputs of the `FuzzProtocol` fuzzer (Tests/Fuzz) replayed through the same entry on every `make test`:
/// each line that once crashed or hung it (Regressions/), and each seed (Corpus/).
@Suite("Fuzzer regressions: control-socket lines")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// `Regressions/FuzzProtocol/NAME` and `Corpus/FuzzProtocol/NAME`, relative to Tests/Fuzz; a folder the fuzzer
    /// never needed is simply absent.
    static let inputs: [String] = ["Regressions", "Corpus"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzDirectory.appendingPathComponent("\(folder)/FuzzProtocol").path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/FuzzProtocol/\($0)" }
    }

    /// The fuzzer's own checks (Tests/Fuzz/Sources/FuzzProtocol): the line decodes to requests or errors, and
    /// every response the daemon would write for it is one line of JSON carrying the request's id.
    @Test("every regression and seed decodes and its responses encode", arguments: inputs)
    func decodes(_ input: String) throws {
        let line = try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(input))
        var responses: [RPCResponse] = []
        switch RPCLine.parse(line) {
        case .failed(let response):
            responses.append(response)
        case .single(let entry):
            responses += Self.responses(to: [entry])
        case .batch(let entries):
            #expect(!entries.isEmpty)
            responses += Self.responses(to: entries)
        }
        for response in responses {
            let text = response.json.serialized
            #expect(!text.contains("\n"))
            let decoded = try JSONValue.parse(text)
            #expect(decoded["id"] == response.id, "\(text)")
        }
    }

    /// The folders are found from this file's path; if they moved, the replay above would pass on no input at all.
    @Test("the seed corpus is found")
    func seedsFound() {
        #expect(Self.inputs.contains { $0.hasPrefix("Corpus/") })
    }

    private static func responses(to entries: [RPCEntry]) -> [RPCResponse] {
        entries.compactMap { entry in
            switch entry {
            case .rejected(let response): response
            case .request(let request): request.id.map { RPCResponse(id: $0, outcome: .failure(.methodNotFound(request.method))) }
            }
        }
    }
}
