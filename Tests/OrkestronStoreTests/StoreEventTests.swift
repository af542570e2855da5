import OrkestronCore
import OrkestronStore
import Testing

@Suite("Stored events")
struct StoreEventTests {
    /// Every field of every kind of event is read back as it was written, nils included.
    @Test("events round-trip exactly, every field included")
    func roundTrip() throws {
        // Given events that use every optional field, job-level events, an empty string and extreme values
        let store = try Store.inMemory()
        var script = EventScript()
        script.add(at: 0, "report", "report-000007", .queued) {
            $0.attempt = 1
            $0.trigger = .onFailure
            $0.slot = EventScript.at(-1)
            $0.reason = "triggered"
            $0.triggeredBy = TriggerSource(jobId: "etl", runId: "etl-000042", status: .timeout)
        }
        script.add(at: 12, "report", "report-000007", .running) {
            $0.attempt = 1
            $0.slot = EventScript.at(-1)
            $0.latenessMs = 13
            $0.queueWaitMs = 12
        }
        script.add(at: 20, "report", "report-000007", .failed) {
            $0.attempt = 1
            $0.durationMs = 8
            $0.nextRetryIn = Int64.max
            $0.reason = "killed by signal 9 — «ünïcödé»"
            $0.exitCode = Int32.min
            $0.signal = 9
        }
        script.add(at: 30, "report", nil, .paused) {
            $0.by = "uid 1000"
            $0.reason = "maintenance"
        }
        script.add(at: 40, "report", nil, .stale) { $0.reason = "" }
        script.add(at: -5_000, "report", nil, .chaos) { $0.seq = UInt64(Int64.max) }
        let written = script.flush()

        // When they are appended and read back
        try store.append(events: written, jobStates: [])

        // Then they are equal to what was written
        #expect(try store.events(after: nil, limit: 100) == written)
        #expect(try store.run(id: "report-000007")?.events == Array(written.prefix(3)))
        #expect(try store.run(id: "report-000007")?.run.triggeredBy
            == RunTriggerSource(jobId: "etl", runId: "etl-000042", status: "TIMEOUT"))
    }

    /// `events.subscribe` with `replay: N` sends the last N stored events, oldest first, filtered like the stream.
    @Test("the last events come in seq order and honour job and status filters")
    func lastEventsForReplay() throws {
        // Given three successful runs of two jobs (nine events)
        let store = try Store.inMemory()
        var script = EventScript()
        script.succeedingManualRun("a", "a-000001", at: 0)
        script.succeedingManualRun("b", "b-000001", at: 1_000)
        script.succeedingManualRun("a", "a-000002", at: 2_000)
        let all = script.flush()
        try store.append(events: all, jobStates: [])

        // When the last events are asked for, with and without filters
        let lastFour = try store.lastEvents(count: 4)
        let lastOfA = try store.lastEvents(count: 2, jobs: ["a"], statuses: ["SUCCESS"])
        let none = try store.lastEvents(count: 5, jobs: [])

        // Then they are the newest matching ones, oldest first
        #expect(lastFour.map(\.seq) == [6, 7, 8, 9])
        #expect(lastOfA.map(\.seq) == [3, 9])
        #expect(none.isEmpty)
        #expect(try store.lastEvents(count: 100) == all)
    }

    /// Paging through the history after a known seq.
    @Test("events after a seq are paged in order and filtered")
    func eventsAfterSeq() throws {
        // Given nine events of two jobs
        let store = try Store.inMemory()
        var script = EventScript()
        script.succeedingManualRun("a", "a-000001", at: 0)
        script.succeedingManualRun("b", "b-000001", at: 1_000)
        script.succeedingManualRun("a", "a-000002", at: 2_000)
        try store.append(events: script.flush(), jobStates: [])

        // When they are read after seq 2, three at a time, and filtered by job and status
        let page = try store.events(after: 2, limit: 3)
        let running = try store.events(after: nil, limit: 10, jobs: ["a", "b"], statuses: ["running"])
        let ofB = try store.events(after: 4, limit: 10, jobs: ["b"])

        // Then each answer is in seq order
        #expect(page.map(\.seq) == [3, 4, 5])
        #expect(running.map(\.seq) == [2, 5, 8])
        #expect(ofB.map(\.seq) == [5, 6])
        #expect(try store.events(after: 9, limit: 10).isEmpty)
    }
}
