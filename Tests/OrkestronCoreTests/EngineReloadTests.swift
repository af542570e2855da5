import Testing

@testable import OrkestronCore

@Suite("Engine: reload and inspection")
struct EngineReloadTests {
    /// A reload adds, removes and changes jobs as a diff; untouched jobs keep their schedule phase.
    @Test("reload applies added, removed, changed and unchanged jobs")
    func reloadDiff() {
        let keep = JobDefinition.simulated("keep", every: 1_000, durationMs: 10)
        let change = JobDefinition.simulated("change", every: 1_000, durationMs: 10)
        let drop = JobDefinition.simulated("drop", every: 1_000, durationMs: 10)
        var harness = EngineHarness([keep, change, drop])
        harness.advance(by: 1_500)
        var changed = change
        changed.schedule = .interval(everyMs: 5_000, offsetMs: 0)
        let diff = harness.engine.reload(
            jobs: [keep, changed, .simulated("new", every: 1_000, durationMs: 10)], settings: harness.engine.settings,
            at: harness.now, into: &harness.actions)
        #expect(diff.added == ["new"])
        #expect(diff.removed == ["drop"])
        #expect(diff.changed == ["change"])
        #expect(diff.unchanged == ["keep"])
        harness.advance(by: 3_000)
        #expect(harness.events(of: "drop").filter { $0.status == .scheduled }.count == 1, "no slot after removal")
        #expect(harness.events(of: "keep").filter { $0.status == .scheduled }.map { harness.offset($0) } == [1_000, 2_000, 3_000, 4_000])
        #expect(harness.events(of: "change").filter { $0.status == .scheduled }.count == 1, "re-planned 5 s from the reload")
        #expect(harness.events(of: "new").filter { $0.status == .scheduled }.count == 3)
        #expect(harness.engine.inspect("drop") == nil)
    }

    /// A removed job's waiting runs are cancelled; its running run finishes and is not retried.
    @Test("reload cancels a removed job's waiting runs and lets its running run finish")
    func reloadRemovedRuns() throws {
        var job = JobDefinition.simulated("gone", durationMs: 1_000, failureRate: 1)
        job.retry = RetryPolicy(maxRetries: 3)
        job.overlap = .queue
        var harness = EngineHarness([job])
        let first = try harness.engine.runNow("gone", at: harness.now, into: &harness.actions)
        let second = try harness.engine.runNow("gone", at: harness.now, into: &harness.actions)
        _ = harness.engine.reload(jobs: [], settings: harness.engine.settings, at: harness.now + 10, into: &harness.actions)
        harness.advance(by: 5_000)
        #expect(harness.statuses(ofRun: second) == [.queued, .cancelled])
        #expect(harness.statuses(ofRun: first) == [.queued, .running, .failed])
    }

    /// Inspection says why a queued run waits: here the type's limit is full.
    @Test("inspection reports the limit a queued run waits for")
    func inspectionLimits() throws {
        var harness = EngineHarness(
            [.simulated("a", type: "sync", durationMs: 5_000), .simulated("b", type: "sync", durationMs: 5_000)],
            settings: EngineSettings(maxConcurrency: 4, typeConcurrency: ["sync": 1]))
        try harness.engine.runNow("a", at: harness.now, into: &harness.actions)
        try harness.engine.runNow("b", at: harness.now, into: &harness.actions)
        let b = try #require(harness.engine.inspect("b"))
        #expect(b.state == .queued)
        #expect(b.typeLimit.isFull)
        #expect(b.typeLimit.holders == ["a"])
        #expect(!b.globalLimit.isFull)
        #expect(harness.engine.inspect("a")?.state == .running)
        #expect(harness.engine.upcoming("a", count: 3).isEmpty, "manual jobs have no slots")
    }

    /// jobs.next's data: upcoming slots with quiet hours and jitter bounds applied.
    @Test("upcoming slots carry quiet hours and jitter bounds")
    func upcomingSlots() {
        var job = JobDefinition.simulated("nightly", type: "cleanup", every: 3_600_000, durationMs: 10)
        job.jitterMs = 60_000
        let window = QuietHours(name: "night", fromSecond: 0, toSecond: 2 * 3600, timeZone: "UTC", types: ["cleanup"], action: .skip)
        var harness = EngineHarness([job], settings: EngineSettings(quietHours: [window]))
        let slots = harness.engine.upcoming("nightly", count: 3)
        #expect(slots.map { $0.slot.milliseconds(since: EngineHarness.monday) } == [3_600_000, 7_200_000, 10_800_000])
        #expect(slots[0].quietHours?.name == "night")
        #expect(slots[1].quietHours == nil)
        #expect(slots[0].latest.milliseconds(since: slots[0].earliest) == 60_000)
    }
}
