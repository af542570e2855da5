import GRDB
import OrkestronCore

/// A change to the `process_group` table that the daemon's writer batches with the events.
public enum ProcessGroupChange: Sendable, Hashable {
    /// A job process has started (insert or replace its row).
    case record(ProcessGroupRecord)
    /// The process of this attempt has been reaped (delete its row).
    case clear(runId: String, attempt: Int)
}

extension Store {
    /// Records a job process that has just started, in its own transaction.
    public func recordProcessGroup(_ record: ProcessGroupRecord) throws(StoreError) {
        try write("record process group \(record.pgid) of \(record.runId)") { db in
            try db.execute(sql: Self.upsertProcessGroupSQL, arguments: Self.arguments(record))
        }
    }

    /// Applies `changes` in order inside the caller's transaction (`append`).
    static func apply(_ changes: [ProcessGroupChange], in db: Database) throws {
        guard !changes.isEmpty else { return }
        let upsert = try db.cachedStatement(sql: Self.upsertProcessGroupSQL)
        let delete = try db.cachedStatement(sql: "DELETE FROM process_group WHERE run_id = ? AND attempt = ?")
        for change in changes {
            switch change {
            case .record(let record):
                try upsert.execute(arguments: Self.arguments(record))
            case .clear(let runId, let attempt):
                try delete.execute(arguments: [runId, attempt])
            }
        }
    }

    static let upsertProcessGroupSQL = """
        INSERT INTO process_group (run_id, attempt, job_id, pgid, leader_start_ticks, started_ms)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, attempt) DO UPDATE SET
            job_id = excluded.job_id, pgid = excluded.pgid,
            leader_start_ticks = excluded.leader_start_ticks, started_ms = excluded.started_ms
        """

    static func arguments(_ record: ProcessGroupRecord) -> StatementArguments {
        [
            record.runId, record.attempt, record.jobId, record.pgid,
            // SQLite integers are signed 64-bit; clock ticks since boot are far below that bound.
            record.leaderStartTicks.map { Int64(clamping: $0) },
            record.startedAt.millisecondsSinceEpoch,
        ]
    }

    /// Forgets the process of an attempt once it has been reaped.
    public func clearProcessGroup(runId: String, attempt: Int) throws(StoreError) {
        try write("clear process group of \(runId)") { db in
            try db.execute(
                sql: "DELETE FROM process_group WHERE run_id = ? AND attempt = ?", arguments: [runId, attempt])
        }
    }

    /// Every recorded process not yet reaped, oldest first. At start-up these are what a killed daemon left.
    public func processGroups() throws(StoreError) -> [ProcessGroupRecord] {
        try read("load process groups") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT run_id, attempt, job_id, pgid, leader_start_ticks, started_ms
                    FROM process_group ORDER BY started_ms, run_id, attempt
                    """)
            return try rows.map { row in
                let ticks: Int64? = try row.decode(atIndex: 4)
                return ProcessGroupRecord(
                    runId: try row.decode(atIndex: 0), attempt: try row.decode(atIndex: 1),
                    jobId: try row.decode(atIndex: 2), pgid: try row.decode(atIndex: 3),
                    leaderStartTicks: ticks.map { UInt64(clamping: $0) },
                    startedAt: Instant(millisecondsSinceEpoch: try row.decode(atIndex: 5)))
            }
        }
    }

    /// Forgets the given records (those a restarted daemon has dealt with), in one transaction.
    public func clearProcessGroups(_ records: [ProcessGroupRecord]) throws(StoreError) {
        guard !records.isEmpty else { return }
        try write("clear process groups") { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM process_group WHERE run_id = ? AND attempt = ?")
            for record in records {
                try delete.execute(arguments: [record.runId, record.attempt])
            }
        }
    }
}
