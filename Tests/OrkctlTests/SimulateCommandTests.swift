import Foundation
import OrkestronProtocol
import Testing

/// `orkctl simulate` run as the built binary, on the repository's example configuration.
@Suite("orkctl simulate")
struct SimulateCommandTests {
    static let example = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/orkestron.toml").path

    static func simulate(_ arguments: [String]) throws -> ControlCommandsTests.Outcome {
        try ControlCommandsTests.orkctl(["simulate"] + arguments)
    }

    static func scratchDirectory() throws -> String {
        var template = Array("/tmp/orkctl-sim-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw CancellationError() }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    @Test("a simulated day of the example configuration is byte-identical run to run, and another seed differs")
    func identicalDays() throws {
        let arguments = [Self.example, "--duration", "24h", "--seed", "7", "--start", "2026-11-29T00:00:00Z"]
        let first = try Self.simulate(arguments)
        let second = try Self.simulate(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(second.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.contains("seed           7 (--seed)"), "\(first.stdout.prefix(600))")
        #expect(first.stdout.contains("start          2026-11-29T00:00:00.000Z"))
        #expect(first.stdout.contains("sync_001"))
        #expect(first.stdout.contains("FINDINGS"))

        let other = try Self.simulate([Self.example, "--duration", "24h", "--seed", "8", "--start", "2026-11-29T00:00:00Z"])
        #expect(other.status == 0)
        #expect(other.stdout != first.stdout)

        let json = try Self.simulate(arguments + ["--json"])
        let again = try Self.simulate(["--json"] + arguments)
        #expect(json.status == 0)
        #expect(json.stdout == again.stdout, "--json is accepted before the subcommand too")
        let document = try JSONValue.parse(json.stdout.trimmingCharacters(in: .newlines))
        #expect(document["seed"]?.intValue == 7)
        #expect(document["jobs"]?["sync_001"]?["runs"]?.intValue ?? 0 > 20_000)
    }

    @Test("without --start the report starts at midnight UTC today and prints it")
    func defaultStart() throws {
        let outcome = try Self.simulate([Self.example, "--duration", "10m", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let document = try JSONValue.parse(outcome.stdout.trimmingCharacters(in: .newlines))
        let start = try #require(document["start"]?.stringValue)
        #expect(start.hasSuffix("T00:00:00.000Z"))
        let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
        let justBefore = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60)).prefix(10)
        #expect(start.hasPrefix(today) || start.hasPrefix(justBefore))
    }

    @Test("an invalid configuration prints file:line:column diagnostics and exits 78")
    func invalidConfig() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/broken.toml"
        try "[[job]]\nid = \"a\"\nintervall = \"3s\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try Self.simulate([path, "--duration", "1h"])
        #expect(outcome.status == 78, "\(outcome)")
        #expect(outcome.stderr.contains("\(path):3:1: error:"), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)

        let missing = try Self.simulate([directory + "/nope.toml", "--duration", "1h"])
        #expect(missing.status == 78)
    }

    @Test("bad flags exit 2 with a message naming the flag", arguments: [
        (["--duration", "soon"], "--duration"),
        (["--duration", "0s"], "--duration"),
        (["--duration", "1h", "--seed", "-3"], "--seed"),
        (["--duration", "1h", "--start", "yesterday"], "--start"),
        (["--duration", "1h", "--failure-rate", "sync_001=1.5"], "--failure-rate"),
        (["--duration", "1h", "--failure-rate", "sync_01=0.5"], "--failure-rate"),
        ([] as [String], "--duration"),
    ])
    func badFlags(_ flags: [String], _ named: String) throws {
        let outcome = try Self.simulate([Self.example] + flags)
        #expect(outcome.status == 2, "\(flags): \(outcome)")
        #expect(outcome.stderr.contains(named), "\(flags): \(outcome.stderr)")
    }

    @Test("--events writes one JSON event per line, the same events every run")
    func eventsFile() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.jsonl"
        let arguments = [
            Self.example, "--duration", "1h", "--seed", "7", "--start", "2026-11-29T00:00:00Z", "--events", path,
            "--failure-rate", "sync=0.5",
        ]
        let outcome = try Self.simulate(arguments)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the file ends with a newline")
        let events = try lines.dropLast().map { try JSONValue.parse(String($0)) }
        #expect(events.count > 10_000)
        var previous: Int64 = 0
        for event in events {
            let seq = try #require(event["seq"]?.intValue)
            #expect(seq == previous + 1)
            previous = seq
            #expect(event["time"]?.stringValue != nil && event["jobId"]?.stringValue != nil)
        }
        let chaos = events.filter { $0["status"]?.stringValue == "CHAOS" }
        #expect(chaos.map { $0["jobId"]?.stringValue } == ["sync_001"], "the override is the engine's chaos input")
        #expect(chaos.first?["time"]?.stringValue == "2026-11-29T00:00:00.000Z")
        #expect(outcome.stdout.contains("events         \(events.count)"))

        let copy = directory + "/again.jsonl"
        _ = try Self.simulate(Array(arguments.dropLast(4)) + ["--events", copy, "--failure-rate", "sync=0.5"])
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == text)
    }
}
