import Foundation
import Testing

import OrkestronConfig

/// The inputs of the `FuzzConfig` fuzzer (Tests/Fuzz) replayed through the same entry on every `make test`: each
/// text that once crashed or hung it (Regressions/), and each seed (Corpus/).
@Suite("Fuzzer regressions: configuration texts")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// `Regressions/FuzzConfig/NAME` and `Corpus/FuzzConfig/NAME`, relative to Tests/Fuzz; a folder the fuzzer
    /// never needed is simply absent.
    static let inputs: [String] = ["Regressions", "Corpus"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzDirectory.appendingPathComponent("\(folder)/FuzzConfig").path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/FuzzConfig/\($0)" }
    }

    /// The fuzzer's own checks (Tests/Fuzz/Sources/FuzzConfig): the text, split into drop-ins at form feeds,
    /// loads or is refused with at least one error, every diagnostic at a position of a file that was read.
    @Test("every regression and seed loads or is refused with its errors", arguments: inputs)
    func loads(_ input: String) throws {
        let bytes = try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(input))
        let text = String(decoding: bytes, as: UTF8.self)
        let sources = text.split(separator: "\u{0C}", omittingEmptySubsequences: false).enumerated().map { index, part in
            ConfigSource(path: index == 0 ? "orkestron.toml" : "conf.d/\(index).toml", text: String(part))
        }
        do {
            let configuration = try ConfigLoader.load(sources: sources)
            #expect(!configuration.summary().isEmpty)
        } catch {
            #expect(!error.errors.isEmpty, "\(error)")
            for diagnostic in error.diagnostics {
                #expect(sources.contains { $0.path == diagnostic.file }, "\(diagnostic)")
                #expect(diagnostic.line >= 1 && diagnostic.column >= 1, "\(diagnostic)")
            }
        }
    }

    /// The folders are found from this file's path; if they moved, the replay above would pass on no input at all.
    @Test("the seed corpus is found")
    func seedsFound() {
        #expect(Self.inputs.contains { $0.hasPrefix("Corpus/") })
    }
}
