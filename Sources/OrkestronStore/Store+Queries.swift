import GRDB
import OrkestronCore

extension Store {
    // MARK: - Runs

    /// Run history, newest first: optionally one job's, in one status (the run's latest), created at or after
    /// `since`. At most `limit` rows (none when `limit` ≤ 0).
    public func runs(job: String?, status: String?, since: Instant?, limit: Int) throws(StoreError) -> [RunRecordRow] {
        guard limit > 0 else { return [] }
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let job {
            conditions.append("r.job_id = ?")
            arguments.append(job.databaseValue)
        }
        if let status {
            conditions.append("r.status = ?")
            arguments.append(status.uppercased().databaseValue)
        }
        if let since {
            conditions.append("r.created_ms >= ?")
            arguments.append(since.millisecondsSinceEpoch.databaseValue)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(limit.databaseValue)
        let sql = "\(RunColumns.selection) \(filter) ORDER BY r.created_ms DESC, r.rowid DESC LIMIT ?"
        return try read("list runs") { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(RunColumns.decode)
        }
    }

    /// A job's latest runs, newest first.
    public func lastRuns(job: String, limit: Int) throws(StoreError) -> [RunRecordRow] {
        try runs(job: job, status: nil, since: nil, limit: limit)
    }

    /// One run with its attempts and every event that names it; nil when no such run is stored.
    public func run(id: String) throws(StoreError) -> RunDetail? {
        try read("get run \(id)") { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "\(RunColumns.selection) WHERE r.run_id = ?", arguments: [id])
            else { return nil }
            let attempts = try Row.fetchAll(
                db,
                sql: """
                    SELECT number, queued_ms, started_ms, finished_ms, status, exit_code, signal, duration_ms, reason
                    FROM attempt WHERE run_id = ? ORDER BY number
                    """,
                arguments: [id]
            ).map(RunColumns.decodeAttempt)
            let events = try Row.fetchAll(
                db, sql: "SELECT \(EventColumns.selection) FROM event WHERE run_id = ? ORDER BY seq",
                arguments: [id]
            ).map(EventColumns.decode)
            return RunDetail(run: try RunColumns.decode(row), attempts: attempts, events: events)
        }
    }

    // MARK: - Events

    /// Events after `seq` (from the first when nil), oldest first, at most `limit`, optionally only of some
    /// jobs and some statuses (wire names).
    public func events(
        after seq: UInt64?, limit: Int, jobs: Set<String>? = nil, statuses: Set<String>? = nil
    ) throws(StoreError) -> [Event] {
        guard limit > 0 else { return [] }
        var filter = EventFilter(jobs: jobs, statuses: statuses)
        if let seq {
            filter.add("seq > ?", Int64(clamping: seq).databaseValue)
        }
        let sql = "SELECT \(EventColumns.selection) FROM event \(filter.whereClause) ORDER BY seq LIMIT ?"
        let arguments = StatementArguments(filter.arguments + [limit.databaseValue])
        return try read("read events") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(EventColumns.decode)
        }
    }

    /// The last `count` stored events (optionally of some jobs and statuses), oldest first: what
    /// `events.subscribe` with `replay: N` sends before live events.
    public func lastEvents(
        count: Int, jobs: Set<String>? = nil, statuses: Set<String>? = nil
    ) throws(StoreError) -> [Event] {
        guard count > 0 else { return [] }
        let filter = EventFilter(jobs: jobs, statuses: statuses)
        let sql = """
            SELECT * FROM (
                SELECT \(EventColumns.selection) FROM event \(filter.whereClause) ORDER BY seq DESC LIMIT ?
            ) ORDER BY seq
            """
        let arguments = StatementArguments(filter.arguments + [count.databaseValue])
        return try read("read last events") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(EventColumns.decode)
        }
    }
}

/// The optional job and status filters of the event queries.
private struct EventFilter {
    var conditions: [String] = []
    var arguments: [DatabaseValue] = []

    init(jobs: Set<String>?, statuses: Set<String>?) {
        if let jobs { addMembership("job_id", jobs.sorted()) }
        if let statuses { addMembership("status", statuses.map { $0.uppercased() }.sorted()) }
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }

    mutating func add(_ condition: String, _ value: DatabaseValue) {
        conditions.append(condition)
        arguments.append(value)
    }

    /// An empty set matches nothing, like a subscription to no job.
    private mutating func addMembership(_ column: String, _ values: [String]) {
        guard !values.isEmpty else {
            conditions.append("0")
            return
        }
        conditions.append("\(column) IN (" + Array(repeating: "?", count: values.count).joined(separator: ", ") + ")")
        arguments.append(contentsOf: values.map(\.databaseValue))
    }
}

/// How a `run` row (joined with its current attempt) maps to a `RunRecordRow`.
enum RunColumns {
    static let selection = """
        SELECT r.run_id, r.job_id, r."trigger", r.status, r.final, r.attempt, r.slot_ms, r.created_ms,
            r.started_ms, r.finished_ms, a.duration_ms, r.exit_code, r.signal, r.reason, r.triggered_by_job,
            r.triggered_by_run, r.triggered_by_status
        FROM run r LEFT JOIN attempt a ON a.run_id = r.run_id AND a.number = r.attempt
        """

    static func decode(_ row: Row) throws -> RunRecordRow {
        let sourceJob: String? = try row.decode(atIndex: 14)
        let sourceRun: String? = try row.decode(atIndex: 15)
        let sourceStatus: String? = try row.decode(atIndex: 16)
        var source: RunTriggerSource?
        if let sourceJob, let sourceRun, let sourceStatus {
            source = RunTriggerSource(jobId: sourceJob, runId: sourceRun, status: sourceStatus)
        }
        return RunRecordRow(
            runId: try row.decode(atIndex: 0),
            jobId: try row.decode(atIndex: 1),
            trigger: try row.decode(atIndex: 2),
            status: try row.decode(atIndex: 3),
            final: try row.decode(atIndex: 4),
            attempt: try row.decode(atIndex: 5),
            slot: iso(try row.decode(atIndex: 6)),
            createdAt: iso(try row.decode(atIndex: 7)),
            startedAt: try (row.decode(Int64?.self, atIndex: 8)).map(iso),
            finishedAt: try (row.decode(Int64?.self, atIndex: 9)).map(iso),
            durationMs: try row.decode(atIndex: 10),
            exitCode: try row.decode(atIndex: 11),
            signal: try row.decode(atIndex: 12),
            reason: try row.decode(atIndex: 13),
            triggeredBy: source)
    }

    static func decodeAttempt(_ row: Row) throws -> AttemptRow {
        AttemptRow(
            number: try row.decode(atIndex: 0),
            queuedAt: try (row.decode(Int64?.self, atIndex: 1)).map(iso),
            startedAt: try (row.decode(Int64?.self, atIndex: 2)).map(iso),
            finishedAt: try (row.decode(Int64?.self, atIndex: 3)).map(iso),
            status: try row.decode(atIndex: 4),
            exitCode: try row.decode(atIndex: 5),
            signal: try row.decode(atIndex: 6),
            durationMs: try row.decode(atIndex: 7),
            reason: try row.decode(atIndex: 8))
    }

    static func iso(_ milliseconds: Int64) -> String {
        Instant(millisecondsSinceEpoch: milliseconds).iso8601UTC
    }
}
