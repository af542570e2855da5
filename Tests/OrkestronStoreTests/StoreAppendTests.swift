import OrkestronCore
import OrkestronStore
import Testing

@Suite("Appending events")
struct StoreAppendTests {
    /// The three events of a successful manual run leave one final run row and one closed attempt.
    @Test("a successful run's events produce a final run row and one closed attempt")
    func successfulRun() throws {
        // Given an empty store
        let store = try Store.inMemory()
        var script = EventScript()
        script.add(at: 0, "sync", "sync-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(0)
        }
        script.add(at: 40, "sync", "sync-000001", .running) {
            $0.attempt = 1
            $0.slot = EventScript.at(0)
            $0.queueWaitMs = 40
        }
        script.add(at: 840, "sync", "sync-000001", .success) {
            $0.attempt = 1
            $0.durationMs = 800
            $0.exitCode = 0
        }

        // When the run's events are appended
        try store.append(events: script.flush(), jobStates: [])

        // Then the run is final with its times, and its one attempt is closed
        let detail = try #require(try store.run(id: "sync-000001"))
        #expect(
            detail.run
                == RunRecordRow(
                    runId: "sync-000001", jobId: "sync", trigger: "manual", status: "SUCCESS", final: true,
                    attempt: 1, slot: "2026-01-05T00:00:00.000Z", createdAt: "2026-01-05T00:00:00.000Z",
                    startedAt: "2026-01-05T00:00:00.040Z", finishedAt: "2026-01-05T00:00:00.840Z", durationMs: 800,
                    exitCode: 0))
        #expect(
            detail.attempts == [
                AttemptRow(
                    number: 1, queuedAt: "2026-01-05T00:00:00.000Z", startedAt: "2026-01-05T00:00:00.040Z",
                    finishedAt: "2026-01-05T00:00:00.840Z", status: "SUCCESS", exitCode: 0, durationMs: 800)
            ])
        #expect(detail.events.map(\.status) == [.queued, .running, .success])
    }

    /// A run that fails twice and then exhausts its retries keeps one attempt row per try, and while it waits
    /// for a retry the store knows until when.
    @Test("a retried run gets attempt rows 1 to 3 and a retry time while it waits")
    func retriedRun() throws {
        // Given a scheduled run whose first attempt failed with retries left
        let store = try Store.inMemory()
        var script = EventScript()
        let run = "etl-000001"
        script.add(at: 0, "etl", run, .scheduled) {
            $0.trigger = .schedule
            $0.slot = EventScript.at(0)
        }
        script.add(at: 0, "etl", run, .queued) {
            $0.attempt = 1
            $0.trigger = .schedule
            $0.slot = EventScript.at(0)
        }
        script.add(at: 5, "etl", run, .running) {
            $0.attempt = 1
            $0.slot = EventScript.at(0)
            $0.latenessMs = 5
            $0.queueWaitMs = 5
        }
        script.add(at: 505, "etl", run, .failed) {
            $0.attempt = 1
            $0.durationMs = 500
            $0.nextRetryIn = 2_000
            $0.exitCode = 3
            $0.reason = "exit status 3"
        }
        script.add(at: 505, "etl", run, .retry) {
            $0.attempt = 1
            $0.nextRetryIn = 2_000
        }

        // When those events are appended
        try store.append(events: script.flush(), jobStates: [])

        // Then the run waits for its retry at 505 + 2000 ms, and attempt 1 is closed as FAILED
        let waiting = try #require(try store.run(id: run))
        #expect(waiting.run.status == "RETRY")
        #expect(waiting.run.final == false)
        #expect(waiting.run.reason == "exit status 3")
        #expect(try store.loadRestore().activeRuns.map(\.phase) == [.retryWait(until: EventScript.at(2_505))])

        // When attempt 2 times out and attempt 3 fails with no retry left
        script.add(at: 2_505, "etl", run, .queued) {
            $0.attempt = 2
            $0.slot = EventScript.at(0)
        }
        script.add(at: 2_505, "etl", run, .running) {
            $0.attempt = 2
            $0.slot = EventScript.at(0)
            $0.queueWaitMs = 0
        }
        script.add(at: 3_505, "etl", run, .timeout) {
            $0.attempt = 2
            $0.durationMs = 1_000
            $0.nextRetryIn = 4_000
            $0.signal = 15
            $0.reason = "timed out after 1000 ms"
        }
        script.add(at: 3_505, "etl", run, .retry) {
            $0.attempt = 2
            $0.nextRetryIn = 4_000
        }
        try store.append(events: script.flush(), jobStates: [])
        script.add(at: 7_505, "etl", run, .queued) {
            $0.attempt = 3
            $0.slot = EventScript.at(0)
        }
        script.add(at: 7_510, "etl", run, .running) {
            $0.attempt = 3
            $0.slot = EventScript.at(0)
            $0.queueWaitMs = 5
        }
        script.add(at: 7_610, "etl", run, .failed) {
            $0.attempt = 3
            $0.durationMs = 100
            $0.exitCode = 1
            $0.reason = "exit status 1"
        }
        try store.append(events: script.flush(), jobStates: [])

        // Then there are three attempts with their outcomes, and the run ended FAILED with the last one's
        let detail = try #require(try store.run(id: run))
        #expect(detail.attempts.map(\.number) == [1, 2, 3])
        #expect(detail.attempts.map(\.status) == ["FAILED", "TIMEOUT", "FAILED"])
        #expect(detail.attempts.map(\.durationMs) == [500, 1_000, 100])
        #expect(detail.attempts.map(\.exitCode) == [3, nil, 1])
        #expect(detail.attempts.map(\.signal) == [nil, 15, nil])
        #expect(detail.attempts[1].queuedAt == EventScript.at(2_505).iso8601UTC)
        #expect(detail.run.status == "FAILED")
        #expect(detail.run.final)
        #expect(detail.run.attempt == 3)
        #expect(detail.run.startedAt == EventScript.at(5).iso8601UTC)
        #expect(detail.run.finishedAt == EventScript.at(7_610).iso8601UTC)
        #expect(detail.run.durationMs == 100)
        #expect(detail.run.exitCode == 1)
        #expect(detail.run.reason == "exit status 1")
        #expect(detail.events.count == 12)
        #expect(try store.loadRestore().activeRuns.isEmpty)
    }

    /// An interrupted last attempt stays INTERRUPTED while its run ends FAILED; cancelling a run that waits for
    /// its retry ends the run without touching the failed attempt.
    @Test("closing events never reopen or overwrite a closed attempt")
    func closedAttemptsStayClosed() throws {
        // Given a run that was running when the daemon died, and one that waits for a retry
        let store = try Store.inMemory()
        var script = EventScript()
        script.add(at: 0, "a", "a-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(0)
        }
        script.add(at: 0, "a", "a-000001", .running) { $0.attempt = 1 }
        script.add(at: 0, "b", "b-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(0)
        }
        script.add(at: 0, "b", "b-000001", .running) { $0.attempt = 1 }
        script.add(at: 100, "b", "b-000001", .failed) {
            $0.attempt = 1
            $0.durationMs = 100
            $0.nextRetryIn = 60_000
            $0.reason = "simulated failure"
        }
        script.add(at: 100, "b", "b-000001", .retry) {
            $0.attempt = 1
            $0.nextRetryIn = 60_000
        }
        try store.append(events: script.flush(), jobStates: [])

        // When the restart interrupts the first (no retry left) and the second is cancelled
        script.add(at: 5_000, "a", "a-000001", .interrupted) {
            $0.attempt = 1
            $0.reason = "interrupted by daemon restart"
        }
        script.add(at: 5_000, "a", "a-000001", .failed) {
            $0.attempt = 1
            $0.reason = "interrupted by daemon restart"
        }
        script.add(at: 6_000, "b", "b-000001", .cancelled) {
            $0.attempt = 1
            $0.reason = "cancelled"
        }
        try store.append(events: script.flush(), jobStates: [])

        // Then both runs are final, and each attempt keeps the status it closed with
        let a = try #require(try store.run(id: "a-000001"))
        #expect(a.run.status == "FAILED")
        #expect(a.run.final)
        #expect(a.attempts.map(\.status) == ["INTERRUPTED"])
        #expect(a.attempts[0].durationMs == nil)
        let b = try #require(try store.run(id: "b-000001"))
        #expect(b.run.status == "CANCELLED")
        #expect(b.run.final)
        #expect(b.run.finishedAt == EventScript.at(6_000).iso8601UTC)
        #expect(b.attempts.map(\.status) == ["FAILED"])
        #expect(b.attempts[0].finishedAt == EventScript.at(100).iso8601UTC)
    }

    /// Job states are upserted: the latest state of a job replaces the previous one.
    @Test("job states are saved with the events and replaced by later ones")
    func jobStatesAreUpserted() throws {
        // Given a store holding a job's state
        let store = try Store.inMemory()
        try store.append(
            events: [], jobStates: [JobPersistentState(jobId: "sync", anchor: EventScript.at(0), runCounter: 1)])

        // When a later step saves a new state for it
        let later = JobPersistentState(
            jobId: "sync", anchor: EventScript.at(0), lastSlot: EventScript.at(60_000), paused: true,
            pausedBy: "uid 1000", pausedAt: EventScript.at(61_000), runCounter: 2, consecutiveFailures: 1,
            lastSuccess: EventScript.at(30_000))
        try store.append(events: [], jobStates: [later])

        // Then only the latest state is restored
        #expect(try store.loadRestore().jobs == ["sync": later])
    }

    /// A step whose events clash with stored ones (a reused seq) is refused as a whole, and the store keeps
    /// working for the next one.
    @Test("an append with a duplicate seq fails, stores nothing of the step, and later appends still work")
    func duplicateSeqRollsBack() throws {
        // Given a store with one run's events
        let store = try Store.inMemory()
        var script = EventScript()
        script.succeedingManualRun("sync", "sync-000001", at: 0)
        let first = script.flush()
        try store.append(events: first, jobStates: [])

        // When a step starts a new run but reuses the last seq
        script.nextSeq = 3
        script.succeedingManualRun("sync", "sync-000002", at: 1_000)
        #expect(throws: StoreError.self) {
            try store.append(
                events: script.flush(), jobStates: [JobPersistentState(jobId: "sync", runCounter: 2)])
        }

        // Then nothing of the failed step is stored
        #expect(try store.run(id: "sync-000002") == nil)
        #expect(try store.loadRestore().jobs.isEmpty)
        #expect(try store.lastEvents(count: 10) == first)

        // And when the step is sent again with fresh seqs, it is stored
        script.nextSeq = 4
        script.succeedingManualRun("sync", "sync-000002", at: 1_000)
        try store.append(events: script.flush(), jobStates: [JobPersistentState(jobId: "sync", runCounter: 2)])
        #expect(try store.run(id: "sync-000002")?.run.status == "SUCCESS")
        #expect(try store.loadRestore().nextSeq == 7)
    }
}
