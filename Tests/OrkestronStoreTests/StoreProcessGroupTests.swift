import Foundation
import OrkestronCore
import OrkestronStore
import Testing

@Suite("Process groups of running jobs")
struct StoreProcessGroupTests {
    static func record(_ runId: String, attempt: Int = 1, pgid: Int32, ticks: UInt64?, at ms: Int64) -> ProcessGroupRecord {
        ProcessGroupRecord(
            runId: runId, attempt: attempt, jobId: String(runId.prefix { $0 != "-" }), pgid: pgid,
            leaderStartTicks: ticks, startedAt: Instant(millisecondsSinceEpoch: ms))
    }

    /// What is recorded as a process starts comes back whole, oldest first, until it is cleared at its reaping.
    @Test("recorded process groups are listed oldest first until cleared")
    func recordAndClear() throws {
        // Given three started processes, one of whose start time could not be read
        let store = try Store.inMemory()
        let first = Self.record("a-000001", pgid: 4101, ticks: 123_456_789, at: 1_000)
        let second = Self.record("b-000001", pgid: 4102, ticks: nil, at: 2_000)
        let retry = Self.record("a-000001", attempt: 2, pgid: 4103, ticks: UInt64(Int64.max), at: 3_000)
        for record in [retry, second, first] { try store.recordProcessGroup(record) }

        // Then they are all there, oldest first, with every field
        #expect(try store.processGroups() == [first, second, retry])

        // When one is reaped
        try store.clearProcessGroup(runId: "a-000001", attempt: 1)

        // Then only the others remain, and clearing it again changes nothing
        #expect(try store.processGroups() == [second, retry])
        try store.clearProcessGroup(runId: "a-000001", attempt: 1)
        #expect(try store.processGroups() == [second, retry])

        // When a restart has dealt with the rest
        try store.clearProcessGroups([second, retry])

        // Then none is left
        #expect(try store.processGroups().isEmpty)
    }

    /// The rows are on disk: a store opened again on the file (the restarted daemon) finds them.
    @Test("recorded process groups survive reopening the database")
    func survivesReopening() throws {
        // Given a process recorded in a database file
        let folder = try TemporaryFolder()
        let path = folder.path + "/orkestron.db"
        let record = Self.record("c-000007", pgid: 777, ticks: 42, at: 5_000)
        do {
            let store = try Store(path: path)
            try store.recordProcessGroup(record)
        }

        // When the database is opened again
        let reopened = try Store(path: path)

        // Then the record is there
        #expect(try reopened.processGroups() == [record])
    }
}
