import OrkestronCore
import OrkestronProtocol
import OrkestronSimulation
import Testing

/// Identical inputs give identical bytes; the seed is the only source of difference.
@Suite("Simulation determinism")
struct DeterminismTests {
    static let config = """
        [daemon]
        max_concurrency = 3
        seed = 11
        [defaults]
        retry = { max_retries = 2, backoff = "exponential", initial_delay = "1s", jitter = 0.3 }
        [types.sync]
        max_concurrency = 2
        [[quiet_hours]]
        name = "night"
        from = "22:00"
        to = "02:00"
        timezone = "Europe/Berlin"
        types = ["cleanup"]
        [[job]]
        id = "sync_a"
        type = "sync"
        interval = "7s"
        jitter = "2s"
        failure_rate = 0.3
        [[job]]
        id = "sync_b"
        type = "sync"
        interval = "5s"
        failure_rate = 0.5
        on_failure = ["alert"]
        [[job]]
        id = "cleanup"
        type = "cleanup"
        cron = "*/20 * * * *"
        failure_rate = 0.2
        [[job]]
        id = "alert"
        """

    static func run(seed: UInt64? = nil) throws -> (text: String, json: String, events: [String]) {
        let (report, events) = try Harness.simulateCollecting(
            config, duration: "6h", seed: seed, failureRates: [FailureRateOverride(target: "cleanup", rate: 0.4)],
            start: Instant(iso8601: "2026-03-01T20:00:00Z")!)
        return (report.text, report.json.serialized, events.map { $0.json.serialized })
    }

    @Test("two runs of the same setup give identical report bytes and identical events")
    func identicalRuns() throws {
        let first = try Self.run()
        let second = try Self.run()
        #expect(first.text == second.text)
        #expect(first.json == second.json)
        #expect(first.events == second.events)
        #expect(first.events.count > 5_000)
    }

    @Test("another seed gives other durations and failures")
    func otherSeed() throws {
        let base = try Self.run()
        let other = try Self.run(seed: 12)
        let same = try Self.run(seed: 11)
        #expect(same.events == base.events, "--seed 11 equals [daemon].seed = 11")
        #expect(other.events != base.events)
        let failures = { (events: [String]) in events.filter { $0.contains("\"status\":\"FAILED\"") }.count }
        #expect(failures(other.events) != failures(base.events))
    }

    @Test("the JSON report holds the text report's numbers, with keys in order")
    func jsonMatchesText() throws {
        let (report, _) = try Harness.simulateCollecting(Self.config, duration: "1h")
        let json = report.json
        #expect(json["seed"]?.intValue == 11)
        #expect(json["seedSource"]?.stringValue == "[daemon].seed")
        #expect(json["start"]?.stringValue == "2026-03-01T00:00:00.000Z")
        #expect(json["durationMs"]?.intValue == 3_600_000)
        let syncA = try #require(json["jobs"]?["sync_a"])
        #expect(syncA["runs"]?.intValue == Int64(report.job("sync_a")!.stats.runs))
        #expect(syncA["type"]?.stringValue == "sync")
        #expect(json["types"]?["sync"]?["maxConcurrency"]?.intValue == 2)
        #expect(json["findings"]?.arrayValue?.count == report.findings.count)
        if case .object(let members) = json {
            #expect(members.map(\.0) == members.map(\.0).sorted())
        }
        if case .object(let members)? = json["jobs"] {
            #expect(members.map(\.0) == ["alert", "cleanup", "sync_a", "sync_b"])
        }
    }
}
