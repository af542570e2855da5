import Foundation
import OrkestronCore
import OrkestronStore
import Testing

@Suite("Restoring after a restart")
struct StoreRestoreTests {
    /// A fresh database restores nothing and starts the sequence at 1.
    @Test("an empty store restores no job, no run and seq 1")
    func emptyRestore() throws {
        // Given an empty store
        let store = try Store.inMemory()

        // When the restart state is loaded
        let restore = try store.loadRestore()

        // Then it is empty
        #expect(restore.jobs.isEmpty)
        #expect(restore.activeRuns.isEmpty)
        #expect(restore.nextSeq == 1)
    }

    /// Every run that had not ended comes back in the phase of its latest event; ended runs do not.
    @Test("loadRestore returns the unfinished runs with their phases, the job states and the next seq")
    func restoresActiveRuns() throws {
        // Given runs stopped in each phase, one finished run, and job states
        let store = try Store.inMemory()
        var script = EventScript()
        script.add(at: 0, "s", "s-000001", .scheduled) {
            $0.trigger = .schedule
            $0.slot = EventScript.at(0)
        }
        script.add(at: 0, "q", "q-000003", .queued) {
            $0.attempt = 1
            $0.trigger = .onSuccess
            $0.slot = EventScript.at(0)
            $0.triggeredBy = TriggerSource(jobId: "s", runId: "s-000000", status: .success)
        }
        script.add(at: 0, "r", "r-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(0)
        }
        script.add(at: 10, "r", "r-000001", .running) { $0.attempt = 1 }
        script.add(at: 0, "w", "w-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .catchup
            $0.slot = EventScript.at(-60_000)
        }
        script.add(at: 10, "w", "w-000001", .running) { $0.attempt = 1 }
        script.add(at: 110, "w", "w-000001", .failed) {
            $0.attempt = 1
            $0.nextRetryIn = 2_000
        }
        script.add(at: 110, "w", "w-000001", .retry) {
            $0.attempt = 1
            $0.nextRetryIn = 2_000
        }
        script.add(at: 0, "d", "d-000001", .scheduled) {
            $0.trigger = .schedule
            $0.slot = EventScript.at(0)
        }
        script.add(at: 0, "d", "d-000001", .deferred) { $0.reason = "quiet hours 'night' until 06:00" }
        script.succeedingManualRun("done", "done-000001", at: 0)
        let states = [
            JobPersistentState(
                jobId: "s", anchor: EventScript.at(-30_000), lastSlot: EventScript.at(0), runCounter: 1),
            JobPersistentState(jobId: "d", paused: true, pausedBy: "config", pausedAt: EventScript.at(5), runCounter: 1),
        ]

        // When they are appended and the restart state is loaded
        try store.append(events: script.flush(), jobStates: states)
        let restore = try store.loadRestore()

        // Then the unfinished runs come back in creation order, with their phases and origins
        #expect(
            restore.activeRuns == [
                RestoredRun(
                    jobId: "s", runId: "s-000001", phase: .scheduled, attempt: 0, slot: EventScript.at(0),
                    trigger: .schedule),
                RestoredRun(
                    jobId: "q", runId: "q-000003", phase: .queued, attempt: 1, slot: EventScript.at(0),
                    trigger: .onSuccess,
                    triggeredBy: TriggerSource(jobId: "s", runId: "s-000000", status: .success)),
                RestoredRun(
                    jobId: "r", runId: "r-000001", phase: .running, attempt: 1, slot: EventScript.at(0),
                    trigger: .manual),
                RestoredRun(
                    jobId: "w", runId: "w-000001", phase: .retryWait(until: EventScript.at(2_110)), attempt: 1,
                    slot: EventScript.at(-60_000), trigger: .catchup),
                RestoredRun(
                    jobId: "d", runId: "d-000001", phase: .deferred, attempt: 0, slot: EventScript.at(0),
                    trigger: .schedule),
            ])
        #expect(restore.jobs == ["s": states[0], "d": states[1]])
        #expect(restore.nextSeq == 14)
    }

    /// A file-backed store closed and opened again has everything it had: nothing lives only in memory.
    @Test("a file-backed store reopened after closing keeps runs, events, job states, definitions and meta")
    func reopenKeepsEverything() throws {
        // Given a store in a temporary folder with a finished run, an active run, a job state, definitions and
        // a meta value
        let folder = try TemporaryFolder()
        let path = folder.path + "/orkestron.db"
        var script = EventScript()
        script.succeedingManualRun("sync", "sync-000001", at: 0)
        script.add(at: 1_000, "sync", "sync-000002", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(1_000)
        }
        let events = script.flush()
        let state = JobPersistentState(jobId: "sync", runCounter: 2, lastSuccess: EventScript.at(100))
        let definition = StoredDefinition(jobId: "sync", hash: "abc", json: #"{"id":"sync"}"#)
        do {
            let store = try Store(path: path)
            try store.append(events: events, jobStates: [state])
            try store.saveDefinitions([definition], at: EventScript.at(0))
            try store.setMeta("seed", "42")
            try store.close()
        }

        // When it is opened again
        let reopened = try Store(path: path)

        // Then everything is there
        #expect(try reopened.events(after: nil, limit: 10) == events)
        #expect(try reopened.runs(job: "sync", status: nil, since: nil, limit: 10).map(\.runId)
            == ["sync-000002", "sync-000001"])
        let restore = try reopened.loadRestore()
        #expect(restore.jobs == ["sync": state])
        #expect(restore.nextSeq == 5)
        #expect(restore.activeRuns.map(\.runId) == ["sync-000002"])
        #expect(try reopened.definitions().map(\.hash) == ["abc"])
        #expect(try reopened.meta("seed") == "42")
        #expect(try reopened.integrityCheck() == "ok")
    }

    /// The store and the real engine agree: a run that was running when the daemon was killed comes back and
    /// the engine records it INTERRUPTED and retries it.
    @Test("the engine's own events survive a restart and an interrupted run is retried")
    func engineRestartThroughStore() throws {
        // Given an engine whose job always fails once then is retried, its events appended step by step
        let folder = try TemporaryFolder()
        let path = folder.path + "/orkestron.db"
        let job = JobDefinition(
            id: "etl", schedule: .interval(everyMs: 10_000, offsetMs: 0),
            retry: RetryPolicy(maxRetries: 2, backoff: .fixed, initialDelayMs: 1_000),
            workload: .simulated(SimulatedWorkload(failureRate: 1, minDurationMs: 500, maxDurationMs: 500)))
        var driver = EngineDriver(jobs: [job], start: EventScript.start, restore: EngineRestore())
        do {
            let store = try Store(path: path)
            try store.append(events: driver.takeEvents(), jobStates: driver.engine.takeDirtyJobStates())
            // First slot at 10 s: attempt 1 fails at 10.5 s, attempt 2 starts at 11.5 s and is still running at 11.7 s.
            for step in stride(from: Int64(100), through: 11_700, by: 100) {
                driver.advance(to: EventScript.at(step))
                try store.append(events: driver.takeEvents(), jobStates: driver.engine.takeDirtyJobStates())
            }
            try store.close()
        }

        // When the daemon restarts from the store (a new process: a new store and a new engine)
        let store = try Store(path: path)
        let restore = try store.loadRestore()
        var restarted = EngineDriver(jobs: [job], start: EventScript.at(20_000 - 1), restore: restore)
        try store.append(events: restarted.takeEvents(), jobStates: restarted.engine.takeDirtyJobStates())

        // Then the run was restored as running with attempt 2, and the engine continued its seqs
        #expect(restore.activeRuns.map(\.phase) == [.running])
        #expect(restore.activeRuns.map(\.attempt) == [2])
        #expect(restore.jobs["etl"]?.runCounter == 1)
        #expect(restore.jobs["etl"]?.anchor == EventScript.start)
        let detail = try #require(try store.run(id: "etl-000001"))
        #expect(
            detail.events.map(\.status) == [
                .scheduled, .queued, .running, .failed, .retry, .queued, .running, .interrupted, .retry,
            ])
        #expect(detail.events.map(\.seq) == Array(1...9))
        #expect(detail.attempts.map(\.status) == ["FAILED", "INTERRUPTED"])
        #expect(detail.run.status == "RETRY")
        #expect(try store.loadRestore().activeRuns.map(\.phase) == [.retryWait(until: EventScript.at(20_999))])
    }
}

/// Drives an `Engine` on a manual clock (the few lines of the engine tests' harness this suite needs).
struct EngineDriver {
    var engine: Engine
    var now: Instant
    var actions: [EngineAction] = []

    init(jobs: [JobDefinition], start: Instant, restore: EngineRestore) {
        now = start
        engine = Engine(
            jobs: jobs, settings: EngineSettings(maxConcurrency: 8, seed: 7), now: start, restore: restore,
            into: &actions)
    }

    /// Fires every timer up to `instant`, each at its own time.
    mutating func advance(to instant: Instant) {
        while let wake = engine.nextWakeup, wake <= instant {
            now = max(now, wake)
            engine.advance(to: now, into: &actions)
        }
        now = instant
        engine.advance(to: now, into: &actions)
    }

    /// The events emitted since the last call.
    mutating func takeEvents() -> [Event] {
        defer { actions.removeAll() }
        return actions.compactMap { if case .event(let event) = $0 { return event } else { return nil } }
    }
}

/// A folder under the system's temporary directory, removed when the value goes away.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "orkestron-store-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
