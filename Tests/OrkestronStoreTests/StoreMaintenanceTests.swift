import Foundation
import OrkestronCore
import OrkestronStore
import Testing

@Suite("Maintenance, definitions and meta")
struct StoreMaintenanceTests {
    /// Pruning deletes old finished runs with their attempts and events, keeps active runs with all their
    /// events, and never lets the sequence go back.
    @Test("prune deletes old finished history and keeps active runs")
    func pruneKeepsActiveRuns() throws {
        // Given an old finished run, an old run still queued, a job-level event, and a recent finished run
        let store = try Store.inMemory()
        var script = EventScript()
        script.succeedingManualRun("a", "a-000001", at: 0)
        script.add(at: 10, "b", "b-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(10)
        }
        script.add(at: 20, "a", nil, .paused) { $0.by = "uid 0" }
        script.succeedingManualRun("a", "a-000002", at: 50_000)
        try store.append(events: script.flush(), jobStates: [])

        // When history older than 10 s is pruned
        let deleted = try store.prune(before: EventScript.at(10_000))

        // Then the old finished run (1 run, 1 attempt, 3 events) and the job-level event are gone
        #expect(deleted == 6)
        #expect(try store.run(id: "a-000001") == nil)
        #expect(try store.run(id: "b-000001")?.events.count == 1)
        #expect(try store.run(id: "a-000002")?.attempts.count == 1)
        #expect(try store.runs(job: nil, status: nil, since: nil, limit: 10).map(\.runId) == ["a-000002", "b-000001"])
        #expect(try store.loadRestore().activeRuns.map(\.runId) == ["b-000001"])
        #expect(try store.events(after: nil, limit: 10).map(\.seq) == [4, 6, 7, 8])

        // When everything up to the far future is pruned, the sequence still continues after the last event
        try store.prune(before: EventScript.at(10_000_000))
        #expect(try store.loadRestore().nextSeq == 9)
        #expect(try store.integrityCheck() == "ok")
    }

    /// Pruning more rows than one batch holds still deletes them all.
    @Test("prune works through more rows than one batch")
    func pruneInBatches() throws {
        // Given more old finished runs than one prune batch
        let store = try Store.inMemory()
        var script = EventScript()
        let count = 10
        for index in 1...count {
            script.succeedingManualRun("bulk", "bulk-\(index)", at: Int64(index))
        }
        try store.append(events: script.flush(), jobStates: [])

        // When all of it is pruned
        let deleted = try store.prune(before: EventScript.at(1_000_000), batchSize: 3)

        // Then every run, attempt and event is gone
        #expect(deleted == count * 5)
        #expect(try store.runs(job: nil, status: nil, since: nil, limit: 10).isEmpty)
        #expect(try store.lastEvents(count: 10).isEmpty)
    }

    /// A fresh database passes SQLite's integrity check.
    @Test("integrityCheck reports ok")
    func integrity() throws {
        // Given a store with some history
        let store = try StoreQueryTests.history()

        // When its integrity is checked
        let result = try store.integrityCheck()

        // Then SQLite finds nothing wrong
        #expect(result == "ok")
    }

    /// Saving definitions replaces the whole set; unchanged ones keep their stamp.
    @Test("saveDefinitions replaces the set and stamps only changed definitions")
    func definitionsReplaceTheSet() throws {
        // Given two stored definitions
        let store = try Store.inMemory()
        try store.saveDefinitions(
            [
                StoredDefinition(jobId: "a", hash: "h1", json: "{}"),
                StoredDefinition(jobId: "b", hash: "h2", json: "{}"),
            ], at: EventScript.at(0))

        // When a reload keeps a unchanged, drops b and adds c
        try store.saveDefinitions(
            [
                StoredDefinition(jobId: "c", hash: "h3", json: #"{"id":"c"}"#),
                StoredDefinition(jobId: "a", hash: "h1", json: "{}"),
            ], at: EventScript.at(5_000))

        // Then the set is a and c, and only c has the new stamp
        #expect(
            try store.definitions() == [
                StoredDefinition(jobId: "a", hash: "h1", json: "{}", updatedAt: EventScript.at(0)),
                StoredDefinition(jobId: "c", hash: "h3", json: #"{"id":"c"}"#, updatedAt: EventScript.at(5_000)),
            ])
    }

    /// Meta values are set, replaced and read back; unknown keys are nil.
    @Test("meta values are upserted and read back")
    func metaValues() throws {
        // Given a store
        let store = try Store.inMemory()

        // When a value is set twice
        try store.setMeta("seed", "1")
        try store.setMeta("seed", "2")

        // Then the latest is read back, and the schema version is recorded
        #expect(try store.meta("seed") == "2")
        #expect(try store.meta("missing") == nil)
        #expect(try store.meta("schema_version") == "2")
    }

    /// A closed store answers every call with an error instead of crashing the daemon.
    @Test("a closed store fails calls with an error naming the operation")
    func closedStore() throws {
        // Given a store that was closed
        let folder = try TemporaryFolder()
        let store = try Store(path: folder.path + "/orkestron.db")
        try store.close()

        // When it is used
        let error = #expect(throws: StoreError.self) { try store.meta("seed") }

        // Then the error names the operation and the file
        #expect(error?.description.hasPrefix("read meta seed failed on \(folder.path)/orkestron.db") == true)
    }

    /// Opening a database in a folder that does not exist fails with the path in the message.
    @Test("opening a store in a missing folder fails with a readable error naming the path")
    func missingFolder() throws {
        // Given a path in a folder that does not exist
        let path = NSTemporaryDirectory() + "orkestron-missing-\(UUID().uuidString)/orkestron.db"

        // When a store is opened there
        let error = #expect(throws: StoreError.self) { try Store(path: path) }

        // Then the error says what failed and where
        guard case .cannotOpen(let failedPath, _)? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
        #expect(error?.description.hasPrefix("cannot open the database \(path): ") == true)
    }
}
