import Testing

@testable import OrkestronCore

@Suite("Engine: run lifecycle")
struct EngineLifecycleTests {
    /// An interval job's slot produces SCHEDULED, QUEUED, RUNNING and SUCCESS at the right instants.
    @Test("an interval slot runs through the whole lifecycle")
    func intervalSlotLifecycle() {
        var harness = EngineHarness([.simulated("sync", every: 3_000, durationMs: 400)])
        harness.advance(by: 3_500)
        let events = harness.events(of: "sync")
        #expect(events.map(\.status) == [.scheduled, .queued, .running, .success])
        #expect(events.map { harness.offset($0) } == [3_000, 3_000, 3_000, 3_400])
        #expect(events.allSatisfy { $0.runId == "sync-000001" })
        #expect(events[3].durationMs == 400)
        #expect(events[2].latenessMs == 0)
        #expect(events[0].trigger == .schedule)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.seq < $1.seq })
    }

    /// With the default curve, a run that fails reports nextRetryIn 2000, then 4000 ms, then ends FAILED.
    @Test("retries follow the exponential curve and stop at max_retries")
    func retriesFollowCurve() {
        var job = JobDefinition.simulated("flaky", durationMs: 100, failureRate: 1)
        job.retry = RetryPolicy(maxRetries: 2)
        var harness = EngineHarness([job])
        let runId = try! harness.engine.runNow("flaky", at: harness.now, into: &harness.actions)
        harness.advance(by: 60_000)
        let events = harness.events.filter { $0.runId == runId }
        #expect(
            events.map(\.status) == [
                .queued, .running, .failed, .retry, .queued, .running, .failed, .retry, .queued, .running, .failed,
            ])
        let failures = events.filter { $0.status == .failed }
        #expect(failures.map(\.nextRetryIn) == [2_000, 4_000, nil])
        #expect(failures.map(\.attempt) == [1, 2, 3])
        #expect(events.filter { $0.status == .queued }.map(\.attempt) == [1, 2, 3])
        // Attempt 2 is queued exactly 2 s after attempt 1 failed.
        #expect(harness.offset(events[4]) - harness.offset(events[2]) == 2_000)
        #expect(failures.last?.endsRun == true)
    }

    /// The delay formulas of SPEC §3 hold for every backoff kind and are capped.
    @Test("retry delays: fixed, linear, exponential, capped, with jitter bounds")
    func retryDelayFormulas() {
        let fixed = RetryPolicy(maxRetries: 5, backoff: .fixed, initialDelayMs: 1_000)
        #expect((1...3).map { fixed.baseDelayMs(afterAttempt: $0) } == [1_000, 1_000, 1_000])
        let linear = RetryPolicy(maxRetries: 5, backoff: .linear, initialDelayMs: 1_000)
        #expect((1...3).map { linear.baseDelayMs(afterAttempt: $0) } == [1_000, 2_000, 3_000])
        let exponential = RetryPolicy(maxRetries: 9, multiplier: 3, maxDelayMs: 50_000)
        #expect((1...5).map { exponential.baseDelayMs(afterAttempt: $0) } == [2_000, 6_000, 18_000, 50_000, 50_000])
        #expect(RetryPolicy(maxRetries: 200).baseDelayMs(afterAttempt: 200) == 300_000)
        let jittered = RetryPolicy(maxRetries: 1, jitter: 0.5)
        #expect(jittered.delayMs(afterAttempt: 1, unitDraw: 0) == 1_000)
        #expect(jittered.delayMs(afterAttempt: 1, unitDraw: 0.999_999_9) == 3_000)
    }

    /// A manual run starts at QUEUED with trigger manual and its request time as slot.
    @Test("run now queues a manual run that starts at once")
    func manualRun() throws {
        var harness = EngineHarness([.simulated("report", durationMs: 50)])
        harness.advance(by: 1_000)
        let runId = try harness.engine.runNow("report", at: harness.now, into: &harness.actions)
        harness.advance(by: 100)
        let events = harness.events(of: "report")
        #expect(events.map(\.status) == [.queued, .running, .success])
        #expect(events[0].trigger == .manual)
        #expect(events[0].slot == EngineHarness.monday + 1_000)
        #expect(runId == "report-000001")
        #expect(throws: EngineError.unknownJob("nope")) {
            try harness.engine.runNow("nope", at: harness.now, into: &harness.actions)
        }
    }

    /// A simulated attempt longer than its timeout ends TIMEOUT at the timeout and is retried.
    @Test("a simulated attempt that exceeds its timeout ends TIMEOUT")
    func simulatedTimeout() throws {
        var job = JobDefinition.simulated("slow", durationMs: 10_000)
        job.timeoutMs = 1_000
        job.retry = RetryPolicy(maxRetries: 1, initialDelayMs: 500)
        var harness = EngineHarness([job])
        try harness.engine.runNow("slow", at: harness.now, into: &harness.actions)
        harness.advance(by: 30_000)
        let events = harness.events(of: "slow")
        #expect(events.map(\.status) == [.queued, .running, .timeout, .retry, .queued, .running, .timeout])
        #expect(harness.offset(events[2]) == 1_000)
        #expect(events[2].nextRetryIn == 500)
        #expect(events.last?.nextRetryIn == nil)
    }

    /// A real process that times out is asked to stop and ends TIMEOUT when its exit is reported.
    @Test("a process attempt that exceeds its timeout is terminated and recorded TIMEOUT with its signal")
    func processTimeout() throws {
        let job = JobDefinition(
            id: "backup", timeoutMs: 2_000, killGraceMs: 3_000,
            workload: .process(ProcessWorkload(command: ["/bin/sleep", "60"])))
        var harness = EngineHarness([job])
        let runId = try harness.engine.runNow("backup", at: harness.now, into: &harness.actions)
        #expect(harness.launches.map(\.runId) == [runId])
        harness.advance(by: 2_000)
        #expect(harness.terminations.map(\.reason) == [.timeout])
        #expect(harness.terminations.first?.graceMs == 3_000)
        #expect(harness.engine.runningCount == 1, "the slot stays taken until the process is gone")
        harness.advance(by: 100)
        harness.engine.processExited(
            runId: runId, attempt: 1, outcome: ProcessOutcome(signal: 15), at: harness.now, into: &harness.actions)
        let last = harness.events(of: "backup").last
        #expect(last?.status == .timeout)
        #expect(last?.signal == 15)
        #expect(harness.engine.runningCount == 0)
    }

    /// A process's exit code decides SUCCESS or FAILED and is recorded.
    @Test("a process exit code is recorded; non-zero is FAILED")
    func processExitCodes() throws {
        let job = JobDefinition(id: "etl", workload: .process(ProcessWorkload(command: ["/bin/false"])))
        var harness = EngineHarness([job])
        let first = try harness.engine.runNow("etl", at: harness.now, into: &harness.actions)
        harness.advance(by: 10)
        harness.engine.processExited(
            runId: first, attempt: 1, outcome: ProcessOutcome(exitCode: 3), at: harness.now, into: &harness.actions)
        let second = try harness.engine.runNow("etl", at: harness.now, into: &harness.actions)
        harness.advance(by: 10)
        harness.engine.processExited(
            runId: second, attempt: 1, outcome: ProcessOutcome(exitCode: 0), at: harness.now, into: &harness.actions)
        let ends = harness.events(of: "etl").filter(\.endsRun)
        #expect(ends.map(\.status) == [.failed, .success])
        #expect(ends.map(\.exitCode) == [3, 0])
        #expect(ends[0].reason == "exit code 3")
        let launch = try #require(harness.launches.first)
        #expect(launch.scheduledAt == EngineHarness.monday)
        #expect(launch.workload.command == ["/bin/false"])
    }

    /// Triggers: a SUCCESS queues the on_success jobs, carrying the run that triggered them.
    @Test("on_success and on_failure queue the named jobs with the triggering run")
    func triggers() throws {
        var main = JobDefinition.simulated("main", durationMs: 10)
        main.onSuccess = ["report"]
        var failing = JobDefinition.simulated("fragile", durationMs: 10, failureRate: 1)
        failing.onFailure = ["alert"]
        var harness = EngineHarness([
            main, failing, .simulated("report", durationMs: 10), .simulated("alert", durationMs: 10),
        ])
        let mainRun = try harness.engine.runNow("main", at: harness.now, into: &harness.actions)
        try harness.engine.runNow("fragile", at: harness.now, into: &harness.actions)
        harness.advance(by: 100)
        let report = harness.events(of: "report")
        #expect(report.map(\.status) == [.queued, .running, .success])
        #expect(report[0].trigger == .onSuccess)
        #expect(report[0].triggeredBy == TriggerSource(jobId: "main", runId: mainRun, status: .success))
        #expect(harness.events(of: "alert").first?.trigger == .onFailure)
        #expect(harness.events(of: "alert").first?.triggeredBy?.status == .failed)
    }

    /// After N consecutive failed runs the job pauses itself, with the reason recorded.
    @Test("pause_after_failures pauses the job after N consecutive failed runs")
    func autoPause() {
        var job = JobDefinition.simulated("broken", every: 1_000, durationMs: 10, failureRate: 1)
        job.pauseAfterFailures = 3
        var harness = EngineHarness([job])
        harness.advance(by: 10_000)
        let events = harness.events(of: "broken")
        #expect(events.filter { $0.status == .failed }.count == 3)
        let paused = events.first { $0.status == .paused }
        #expect(paused?.by == "auto")
        #expect(paused?.reason == "after 3 consecutive failed runs")
        #expect(events.last?.status == .paused, "no slot is recorded while paused")
    }

    /// STALE is emitted when no run succeeded for max_staleness.
    @Test("max_staleness emits STALE when no success for that long")
    func staleness() {
        var job = JobDefinition.simulated("backup", every: 10_000, durationMs: 10, failureRate: 1)
        job.maxStalenessMs = 25_000
        var harness = EngineHarness([job])
        harness.advance(by: 30_000)
        let stale = harness.events(of: "backup").filter { $0.status == .stale }
        #expect(stale.count == 1)
        #expect(stale.first.map { harness.offset($0) } == 25_000)
        #expect(stale.first?.runId == nil)
    }

    /// chaos.set overrides the failure rate until it expires, with CHAOS events both ways.
    @Test("chaos overrides the failure rate for a while")
    func chaos() throws {
        var harness = EngineHarness([.simulated("api", every: 1_000, durationMs: 10)])
        try harness.engine.setChaos(
            jobIds: ["api"], rate: 1, forMs: 3_500, by: "uid 0", at: harness.now, into: &harness.actions)
        harness.advance(by: 6_500)
        let ends = harness.events(of: "api").filter(\.endsRun).map(\.status)
        #expect(ends == [.failed, .failed, .failed, .success, .success, .success])
        #expect(harness.events(of: "api").filter { $0.status == .chaos }.count == 2)
    }
}
