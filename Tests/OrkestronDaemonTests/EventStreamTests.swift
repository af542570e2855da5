import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

/// The engine's behaviour as a subscriber sees it on `events.subscribe`.
@Suite("event stream")
struct EventStreamTests {
    /// A scheduled run emits exactly SCHEDULED, QUEUED, RUNNING, SUCCESS, with increasing sequence numbers; a
    /// manual run starts at QUEUED.
    @Test("a run goes SCHEDULED → QUEUED → RUNNING → SUCCESS in order")
    func lifecycleOrder() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "tick"
            interval = "300ms"
            duration = "50ms"

            [[job]]
            id = "once"
            duration = "50ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client)
                let manual = try await client.call("jobs.run", .object(["id": "once", "wait": true]))
                let manualRun = try #require(manual["runId"]?.stringValue)

                // A scheduled run observed from its first event to its end.
                let events = try await log.wait(for: "a complete scheduled run") { events in
                    Self.completeScheduledRun(in: events) != nil
                }
                let runId = try #require(Self.completeScheduledRun(in: events))
                let run = events.filter { $0.runId == runId }
                #expect(run.statuses == ["SCHEDULED", "QUEUED", "RUNNING", "SUCCESS"])
                #expect(run[0]["trigger"] == "schedule")
                #expect(run[0]["slot"]?.stringValue != nil, "SCHEDULED carries the slot")
                #expect(run.dropFirst().allSatisfy { $0["attempt"] == .int(1) })
                #expect(run.allSatisfy { $0.jobId == "tick" })
                #expect(run.last?["durationMs"]?.intValue.map { $0 >= 40 && $0 < 5_000 } == true)

                // The stderr log line of the same transition: `LEVEL message key=value…`.
                let pattern = "(?m)^INFO run succeeded: \(manualRun) job=once run=\(manualRun) status=SUCCESS attempt=1 duration_ms=[0-9]+"
                _ = try await eventually("the SUCCESS log line of \(manualRun)") {
                    daemon.log.range(of: pattern, options: .regularExpression)
                }

                let manualEvents = log.events(ofRun: manualRun)
                #expect(manualEvents.statuses == ["QUEUED", "RUNNING", "SUCCESS"])
                #expect(manualEvents.first?["trigger"] == "manual")

                let seqs = log.events.compactMap(\.seq)
                #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "sequence numbers strictly increase")
            }
        }
    }

    /// The id of a run whose first observed event is SCHEDULED and which has ended.
    static func completeScheduledRun(in events: [JSONValue]) -> String? {
        var firstStatus: [String: String] = [:]
        for event in events {
            guard let runId = event.runId, let status = event.status else { continue }
            if firstStatus[runId] == nil { firstStatus[runId] = status }
            if runEndingStatuses.contains(status), firstStatus[runId] == "SCHEDULED" { return runId }
        }
        return nil
    }

    /// A failing attempt with retries left emits FAILED and RETRY with the exponential delay (200 ms, then
    /// 400 ms), the next QUEUED carries the next attempt, and the run ends FAILED after 1 + max_retries attempts.
    @Test("failed attempts are retried after 200 ms then 400 ms and the run ends FAILED")
    func retriesBackOffExponentially() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "flaky"
            duration = "50ms"
            failure_rate = 1.0
            retry = { max_retries = 2, backoff = "exponential", initial_delay = "200ms", multiplier = 2.0 }
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["flaky"]]))
                let result = try await client.call("jobs.run", .object(["id": "flaky", "wait": true]))
                #expect(result["status"] == "FAILED")
                let runId = try #require(result["runId"]?.stringValue)
                try await log.wait(for: "the run's final FAILED") { events in
                    events.filter { $0.runId == runId && $0.status == "FAILED" }.count == 3
                }
                let run = log.events(ofRun: runId)
                #expect(
                    run.statuses == [
                        "QUEUED", "RUNNING", "FAILED", "RETRY",
                        "QUEUED", "RUNNING", "FAILED", "RETRY",
                        "QUEUED", "RUNNING", "FAILED",
                    ])
                let failed = run.filter { $0.status == "FAILED" }
                #expect(failed.map { $0["nextRetryIn"] } == [.int(200), .int(400), .null])
                #expect(failed.map { $0["attempt"] } == [.int(1), .int(2), .int(3)])
                let retries = run.filter { $0.status == "RETRY" }
                #expect(retries.map { $0["nextRetryIn"] } == [.int(200), .int(400)])
                #expect(retries.map { $0["attempt"] } == [.int(1), .int(2)])
                #expect(run.filter { $0.status == "QUEUED" }.map { $0["attempt"] } == [.int(1), .int(2), .int(3)])

                // The back-off is really waited for (a generous lower bound only).
                let times = run.compactMap { $0["time"]?.stringValue.flatMap(Self.date) }
                if times.count == run.count {
                    let firstRetryWait = times[4].timeIntervalSince(times[2])
                    let secondRetryWait = times[8].timeIntervalSince(times[6])
                    #expect(firstRetryWait >= 0.18, "waited \(firstRetryWait)s before attempt 2")
                    #expect(secondRetryWait >= 0.38, "waited \(secondRetryWait)s before attempt 3")
                }

                let detail = try await client.call("runs.get", .object(["runId": .string(runId)]))
                #expect(detail["run"]?["status"] == "FAILED")
                #expect(detail["run"]?["final"] == .bool(true))
                #expect(detail["attempts"]?.arrayValue?.count == 3)
            }
        }
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Requests a manual run of each job, all at once, each from its own connection; returns the run ids.
    static func runConcurrently(_ jobs: [String], socketPath: String) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for job in jobs {
                group.addTask {
                    let answer = try await ControlClient.withConnection(socketPath: socketPath) { client in
                        try await client.call("jobs.run", .object(["id": .string(job)]))
                    }
                    guard let runId = answer["runId"]?.stringValue else {
                        throw HarnessError("jobs.run \(job) answered \(answer.compact)")
                    }
                    return runId
                }
            }
            var runIds: [String] = []
            for try await runId in group { runIds.append(runId) }
            return runIds
        }
    }

    /// With `[daemon] max_concurrency = 2`, five 600 ms runs requested at once never run more than two at a
    /// time, and all of them complete.
    @Test("max_concurrency = 2 is never exceeded by five contending runs")
    func concurrencyLimit() async throws {
        var config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            max_concurrency = 2

            """
        let jobs = (1...5).map { "worker\($0)" }
        for job in jobs {
            config += """

                [[job]]
                id = "\(job)"
                duration = "600ms"

                """
        }
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client)
                // Requested at once, from separate connections, so they contend even on a loaded machine.
                let runIds = try await Self.runConcurrently(jobs, socketPath: daemon.socketPath)
                let events = try await log.wait(for: "five SUCCESS events", timeout: .seconds(20)) { events in
                    events.filter { $0.status == "SUCCESS" }.count == 5
                }
                var running = 0
                var peak = 0
                for event in events.sorted(by: { ($0.seq ?? 0) < ($1.seq ?? 0) }) {
                    switch event.status {
                    case "RUNNING": running += 1
                    case "SUCCESS", "FAILED", "TIMEOUT", "CANCELLED", "INTERRUPTED": running -= 1
                    default: break
                    }
                    peak = max(peak, running)
                    #expect(running <= 2, "more than 2 runs at once at seq \(event.seq ?? -1)")
                }
                #expect(peak == 2, "the two slots are used")
                for runId in runIds {
                    #expect(log.events(ofRun: runId).statuses == ["QUEUED", "RUNNING", "SUCCESS"], "\(runId)")
                }
                let status = try await client.call("daemon.status")
                #expect(status["slots"] == .int(2))
            }
        }
    }

    /// When runs wait for the only slot, the one of higher priority starts first, whatever the request order.
    @Test("under contention the higher-priority run starts first")
    func priorityOrder() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            max_concurrency = 1

            # Long enough that three clients connect and queue their runs behind it on a loaded 2-core CI machine.
            [[job]]
            id = "blocker"
            duration = "8s"

            [[job]]
            id = "low"
            priority = 1
            duration = "50ms"

            [[job]]
            id = "mid"
            priority = 5
            duration = "50ms"

            [[job]]
            id = "high"
            priority = 9
            duration = "50ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client)
                _ = try await client.call("jobs.run", .object(["id": "blocker"]))
                try await log.first("the blocker running") { $0.jobId == "blocker" && $0.status == "RUNNING" }
                _ = try await Self.runConcurrently(["low", "mid", "high"], socketPath: daemon.socketPath)
                let events = try await log.wait(for: "four runs done", timeout: .seconds(30)) { events in
                    events.filter { $0.status == "SUCCESS" }.count == 4
                }
                let blockerEnd = events.first { $0.jobId == "blocker" && $0.status == "SUCCESS" }?.seq ?? 0
                let lastQueued = events.filter { $0.status == "QUEUED" && $0.jobId != "blocker" }.compactMap(\.seq).max() ?? .max
                try #require(lastQueued < blockerEnd, "the three runs were queued while the blocker held the slot")
                let order = events.filter { $0.status == "RUNNING" }.compactMap(\.jobId)
                #expect(order == ["blocker", "high", "mid", "low"])
            }
        }
    }

    /// With `overlap = "skip"`, a slot that comes due while the previous run is still active is recorded
    /// SKIPPED with the overlap reason, and the job never runs twice at once.
    @Test("an overlapping slot is recorded SKIPPED with its reason")
    func overlapSkip() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "long"
            interval = "250ms"
            duration = "700ms"
            overlap = "skip"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["long"]]))
                let skipped = try await log.first("an overlap SKIPPED event") { $0.status == "SKIPPED" }
                #expect(skipped["reason"]?.stringValue?.contains("overlap") == true, "\(skipped.compact)")
                let runId = try #require(skipped.runId)
                #expect(log.events(ofRun: runId).statuses == ["SCHEDULED", "SKIPPED"])

                let events = try await log.wait(for: "a second run to finish") { events in
                    events.filter { $0.status == "SUCCESS" }.count >= 2
                }
                var running = 0
                for event in events {
                    if event.status == "RUNNING" { running += 1 }
                    if event.status == "SUCCESS" { running -= 1 }
                    #expect(running <= 1, "two runs of an overlap=skip job at once")
                }
                let history = try #require(try await client.call("runs.list", .object(["job": "long", "status": "SKIPPED"])).arrayValue)
                #expect(!history.isEmpty, "SKIPPED runs are in the history")
                #expect(history.first?["reason"]?.stringValue?.contains("overlap") == true)
            }
        }
    }

    /// A quiet-hours window (UTC, from an hour ago to an hour from now).
    static func quietWindow(name: String, action: String) -> String {
        let minuteOfDay = Int(Date().timeIntervalSince1970) % 86_400 / 60
        func clock(_ minutes: Int) -> String {
            let wrapped = (minutes + 1_440) % 1_440
            return String(format: "%02d:%02d", wrapped / 60, wrapped % 60)
        }
        return """
            [[quiet_hours]]
            name = "\(name)"
            from = "\(clock(minuteOfDay - 60))"
            to = "\(clock(minuteOfDay + 60))"
            timezone = "UTC"
            action = "\(action)"
            """
    }

    /// Inside a `defer` quiet-hours window, scheduled slots are recorded DEFERRED (never run) with the window
    /// named, `jobs.explain` says so, and a manual run still runs.
    @Test("quiet hours with action defer record DEFERRED and run nothing scheduled")
    func quietHoursDefer() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            \(Self.quietWindow(name: "maintenance", action: "defer"))

            [[job]]
            id = "quiet"
            interval = "300ms"
            duration = "50ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["quiet"]]))
                let events = try await log.wait(for: "two DEFERRED events") { events in
                    events.filter { $0.status == "DEFERRED" }.count >= 2
                }
                let deferred = events.filter { $0.status == "DEFERRED" }
                for event in deferred {
                    #expect(event["reason"]?.stringValue?.hasPrefix("quiet hours 'maintenance'") == true, "\(event.compact)")
                    let runId = try #require(event.runId)
                    #expect(log.events(ofRun: runId).statuses == ["SCHEDULED", "DEFERRED"])
                }
                #expect(!events.contains { $0.status == "RUNNING" }, "a deferred slot ran inside quiet hours")

                let explain = try await client.call("jobs.explain", .object(["id": "quiet"]))
                let reasons = explain["reasons"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
                #expect(reasons.contains { $0.contains("quiet hours 'maintenance'") }, "\(reasons)")

                let manual = try await client.call("jobs.run", .object(["id": "quiet", "wait": true]))
                #expect(manual["status"] == "SUCCESS", "manual runs bypass quiet hours")
            }
        }
    }

    /// Inside a `skip` quiet-hours window, each slot is recorded SKIPPED with reason "quiet hours '<name>'".
    @Test("quiet hours with action skip record SKIPPED with the window's name")
    func quietHoursSkip() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            \(Self.quietWindow(name: "freeze", action: "skip"))

            [[job]]
            id = "quiet"
            interval = "300ms"
            duration = "50ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["quiet"]]))
                let events = try await log.wait(for: "two SKIPPED events") { events in
                    events.filter { $0.status == "SKIPPED" }.count >= 2
                }
                for event in events where event.status == "SKIPPED" {
                    #expect(event["reason"] == "quiet hours 'freeze'", "\(event.compact)")
                    let runId = try #require(event.runId)
                    #expect(log.events(ofRun: runId).statuses == ["SCHEDULED", "SKIPPED"])
                }
                #expect(!events.contains { $0.status == "RUNNING" })
            }
        }
    }

    /// A simulated attempt that would last longer than the job's timeout ends TIMEOUT at the timeout.
    @Test("a simulated run longer than its timeout ends TIMEOUT")
    func simulatedTimeout() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "slow"
            duration = "10s"
            timeout = "200ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["slow"]]))
                let clock = ContinuousClock()
                let started = clock.now
                let result = try await client.call("jobs.run", .object(["id": "slow", "wait": true]))
                let elapsed = clock.now - started
                #expect(result["status"] == "TIMEOUT")
                #expect(elapsed < .seconds(8), "the run was stopped at its timeout, not at its 10 s duration")
                let runId = try #require(result["runId"]?.stringValue)
                let events = try await log.wait(for: "the TIMEOUT event") { events in
                    events.contains { $0.runId == runId && $0.status == "TIMEOUT" }
                }
                #expect(events.filter { $0.runId == runId }.statuses == ["QUEUED", "RUNNING", "TIMEOUT"])
                let timeout = events.first { $0.runId == runId && $0.status == "TIMEOUT" }
                #expect(timeout?["durationMs"]?.intValue.map { $0 >= 190 && $0 < 8_000 } == true, "\(timeout?.compact ?? "")")
                let detail = try await client.call("runs.get", .object(["runId": .string(runId)]))
                #expect(detail["run"]?["status"] == "TIMEOUT")
                #expect(detail["run"]?["final"] == .bool(true))
            }
        }
    }

    /// `events.subscribe` delivers only the events matching its job and status filters, and `replay` first
    /// sends stored events older than the subscription.
    @Test("events.subscribe filters by job and status and replays stored events")
    func subscriptionFilters() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "tick"
            interval = "200ms"
            duration = "50ms"

            [[job]]
            id = "once"
            duration = "50ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            _ = try await daemon.call("jobs.run", .object(["id": "once", "wait": true]))
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(
                    client, .object(["jobs": ["tick"], "statuses": ["RUNNING", "SUCCESS"], "replay": 4]))
                let events = try await log.wait(for: "six events of tick") { $0.count >= 6 }
                #expect(events.allSatisfy { $0.jobId == "tick" }, "\(events.map(\.compact))")
                #expect(events.allSatisfy { $0.status == "RUNNING" || $0.status == "SUCCESS" }, "\(events.map(\.compact))")
                let seqs = events.compactMap(\.seq)
                #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "replayed then live, in order, no duplicates")
                let detail = try await client.call("daemon.status")
                #expect(detail["protocol"] == .int(1), "the subscribed connection still answers calls")
            }
        }
    }
}
