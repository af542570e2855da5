import Foundation
import OrkestronCore
import OrkestronProtocol
import Testing

/// SPEC §3's features that peers lack, over the socket against the real daemon (the engine-level tests with a
/// manual clock are in OrkestronCoreTests).
@Suite("features beyond the peers")
struct BeyondPeersTests {
    @Test("pause_after_failures pauses the job after N failed runs, and explain says why")
    func autoPause() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            [[job]]
            id = "broken"
            interval = "200ms"
            duration = "10ms"
            failure_rate = 1.0
            pause_after_failures = 3
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["broken"], "replay": 100]))
                let paused = try await log.first("the automatic PAUSED") { $0.status == "PAUSED" }
                let failures = log.events.filter { $0.status == "FAILED" }
                #expect(failures.count == 3, "paused after exactly three failed runs: \(log.events.statuses)")
                #expect(paused["reason"]?.stringValue?.contains("3 consecutive") == true, "\(paused.compact)")
                let reasons = try await client.call("jobs.explain", .object(["id": "broken"]))["reasons"]?.arrayValue ?? []
                let texts = reasons.compactMap { $0["text"]?.stringValue }
                #expect(texts.contains { $0.hasPrefix("paused by") && $0.contains("3 consecutive") }, "\(texts)")
            }
        }
    }

    @Test("max_staleness emits STALE and sets orkestron_job_stale until the next success")
    func staleness() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            [[job]]
            id = "lagging"
            interval = "150ms"
            duration = "10ms"
            failure_rate = 1.0
            max_staleness = "500ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["lagging"], "replay": 100]))
                try await log.first("STALE", timeout: .seconds(15)) { $0.status == "STALE" && $0.runId == nil }
                let metrics = try await client.call("metrics.get", .object(["job": "lagging"]))
                #expect(metrics["jobs"]?["lagging"]?["stale"] == .bool(true), "\(metrics.compact)")
                _ = try await client.call("chaos.set", .object(["job": "lagging", "failureRate": 0.0]))
                _ = try await eventually("stale cleared by a success") { () -> Bool? in
                    let now = try await client.call("metrics.get", .object(["job": "lagging"]))
                    return now["jobs"]?["lagging"]?["stale"] == .bool(false) ? true : nil
                }
            }
        }
    }

    @Test("chaos: failures say 'injected failure', and explain and status show the injection")
    func chaosIsVisible() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            [[job]]
            id = "target"
            duration = "10ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            _ = try await daemon.call("chaos.set", .object(["job": "target", "failureRate": 1.0]))
            let run = try await daemon.call("jobs.run", .object(["id": "target", "wait": true]))
            #expect(run["status"] == "FAILED")
            let detail = try await daemon.call("runs.get", .object(["runId": run["runId"] ?? .null]))
            let failed = detail["events"]?.arrayValue?.first { $0.status == "FAILED" }
            #expect(failed?["reason"]?.stringValue == "injected failure (chaos)", "\(detail.compact)")
            let texts = (try await daemon.call("jobs.explain", .object(["id": "target"]))["reasons"]?.arrayValue ?? [])
                .compactMap { $0["text"]?.stringValue }
            #expect(texts.contains { $0.hasPrefix("failure injection active: failure rate 1") }, "\(texts)")
            let status = try await daemon.call("daemon.status")
            #expect(status["chaos"]?.arrayValue?.first?["job"] == "target", "\(status.compact)")
        }
    }

    @Test("after downtime, missed = run_all catches up at most catchup.max runs, staggered, and skips the rest")
    func boundedCatchup() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            [[job]]
            id = "backlog"
            interval = "200ms"
            duration = "10ms"
            missed = "run_all"
            catchup = { max = 3, stagger = "300ms" }
            """
        try await DaemonProcess.with(config: config) { daemon in
            _ = try await eventually("a first scheduled run") { () -> Bool? in
                let runs = try await daemon.call("runs.list", .object(["job": "backlog", "limit": 1]))
                return runs.arrayValue?.isEmpty == false ? true : nil
            }
            #expect(try await daemon.stop() == 0)
            try await Task.sleep(for: .milliseconds(2_000))  // the outage: about ten missed slots
            try await daemon.restart()
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["backlog"], "replay": 200]))
                let events = try await log.wait(for: "three catch-up runs to finish") { events in
                    events.filter { $0["trigger"] == "catchup" && $0.status == "QUEUED" }.count >= 3
                        && events.filter { $0.status == "SUCCESS" }.count >= 3
                }
                let catchup = events.filter { $0["trigger"] == "catchup" && $0.status == "QUEUED" }
                #expect(catchup.count == 3, "\(events.map(\.compact).joined(separator: "\n"))")
                let times = catchup.compactMap { $0["time"]?.stringValue.flatMap(Instant.init(iso8601:))?.millisecondsSinceEpoch }
                let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
                #expect(gaps.allSatisfy { $0 >= 280 }, "catch-up runs are staggered by 300 ms: \(gaps)")
                let skipped = try await client.call("runs.list", .object(["job": "backlog", "status": "SKIPPED", "limit": 100]))
                #expect((skipped.arrayValue?.count ?? 0) >= 5, "the older missed slots are recorded SKIPPED: \(skipped.compact)")
            }
        }
    }
}
