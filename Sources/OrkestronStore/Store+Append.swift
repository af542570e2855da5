import GRDB
import OrkestronCore

extension Store {
    /// Records an engine step: every event, their effect on the `run` and `attempt` rows, and the job states
    /// that changed, in ONE transaction.
    ///
    /// This is the hot path (one call per engine step, thousands of events per second under load), so it runs
    /// cached prepared statements with positional arguments instead of records. Events are applied in the order
    /// given, which must be `seq` order. A duplicate `seq` fails the whole call and changes nothing.
    /// `processGroups` (job processes started and reaped since the last call) are applied in the same
    /// transaction, after the events.
    public func append(
        events: [Event], jobStates: [JobPersistentState], processGroups: [ProcessGroupChange] = []
    ) throws(StoreError) {
        guard !events.isEmpty || !jobStates.isEmpty || !processGroups.isEmpty else { return }
        try write("append events") { db in
            let statements = try AppendStatements(db)
            for event in events {
                try statements.record(event)
            }
            for state in jobStates {
                try statements.save(state)
            }
            try Store.apply(processGroups, in: db)
        }
    }
}

/// The prepared statements of one `append` transaction. `cachedStatement` keeps them compiled across calls;
/// `StatementBinder` binds their arguments.
struct AppendStatements {
    let insertEvent: Statement
    let createRun: Statement
    let advanceRun: Statement
    let endRun: Statement
    let queueAttempt: Statement
    let startAttempt: Statement
    let endAttempt: Statement
    let upsertJobState: Statement

    init(_ db: Database) throws {
        insertEvent = try db.cachedStatement(sql: """
            INSERT INTO event (seq, time_ms, job_id, run_id, status, attempt, duration_ms, next_retry_in, reason,
                "trigger", slot_ms, exit_code, signal, lateness_ms, queue_wait_ms, "by", triggered_by_job,
                triggered_by_run, triggered_by_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // The first event of a run (SCHEDULED, or QUEUED for manual and triggered runs) carries its trigger.
        // A scheduled run's first QUEUED carries it too and then finds the row: it only moves it on.
        createRun = try db.cachedStatement(sql: """
            INSERT INTO run (run_id, job_id, "trigger", triggered_by_job, triggered_by_run, triggered_by_status,
                slot_ms, created_ms, queued_ms, status, attempt, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET
                status = excluded.status,
                attempt = MAX(run.attempt, excluded.attempt),
                queued_ms = COALESCE(run.queued_ms, excluded.queued_ms),
                triggered_by_job = COALESCE(excluded.triggered_by_job, run.triggered_by_job),
                triggered_by_run = COALESCE(excluded.triggered_by_run, run.triggered_by_run),
                triggered_by_status = COALESCE(excluded.triggered_by_status, run.triggered_by_status),
                reason = COALESCE(excluded.reason, run.reason),
                retry_at_ms = NULL
            """)
        // QUEUED (next attempt), RUNNING, RETRY and DEFERRED: the run moves on and stays open.
        advanceRun = try db.cachedStatement(sql: """
            UPDATE run SET
                status = ?,
                attempt = COALESCE(?, attempt),
                queued_ms = COALESCE(queued_ms, ?),
                started_ms = COALESCE(started_ms, ?),
                retry_at_ms = ?,
                reason = COALESCE(?, reason)
            WHERE run_id = ?
            """)
        // SUCCESS, FAILED, TIMEOUT, CANCELLED, INTERRUPTED, SKIPPED: an attempt (and maybe the run) ends, and
        // its outcome replaces the run's.
        endRun = try db.cachedStatement(sql: """
            UPDATE run SET
                status = ?,
                exit_code = ?,
                signal = ?,
                reason = ?,
                retry_at_ms = ?,
                finished_ms = COALESCE(?, finished_ms),
                final = MAX(final, ?)
            WHERE run_id = ?
            """)
        queueAttempt = try db.cachedStatement(sql: """
            INSERT INTO attempt (run_id, number, queued_ms, status) VALUES (?, ?, ?, 'QUEUED')
            ON CONFLICT (run_id, number) DO NOTHING
            """)
        startAttempt = try db.cachedStatement(sql: """
            INSERT INTO attempt (run_id, number, queued_ms, started_ms, status) VALUES (?, ?, ?, ?, 'RUNNING')
            ON CONFLICT (run_id, number) DO UPDATE SET
                queued_ms = COALESCE(attempt.queued_ms, excluded.queued_ms),
                started_ms = excluded.started_ms,
                status = excluded.status
            """)
        // An attempt closes once: the FAILED that follows an INTERRUPTED last attempt leaves it INTERRUPTED, and
        // cancelling a run that waits for its retry leaves the failed attempt as it was.
        endAttempt = try db.cachedStatement(sql: """
            UPDATE attempt SET finished_ms = ?, status = ?, exit_code = ?, signal = ?, duration_ms = ?, reason = ?
            WHERE run_id = ? AND number = ? AND finished_ms IS NULL
            """)
        upsertJobState = try db.cachedStatement(sql: """
            INSERT INTO job_state (job_id, anchor_ms, last_slot_ms, paused, paused_by, paused_at_ms, run_counter,
                consecutive_failures, last_success_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_id) DO UPDATE SET
                anchor_ms = excluded.anchor_ms,
                last_slot_ms = excluded.last_slot_ms,
                paused = excluded.paused,
                paused_by = excluded.paused_by,
                paused_at_ms = excluded.paused_at_ms,
                run_counter = excluded.run_counter,
                consecutive_failures = excluded.consecutive_failures,
                last_success_ms = excluded.last_success_ms
            """)
        for statement in [
            insertEvent, createRun, advanceRun, endRun, queueAttempt, startAttempt, endAttempt, upsertJobState,
        ] {
            StatementBinder.prime(statement)
        }
    }

    func record(_ event: Event) throws {
        try StatementBinder.execute(insertEvent) { EventColumns.bind(event, to: &$0) }
        guard let runId = event.runId else { return }
        let time = event.time.millisecondsSinceEpoch
        let status = event.status.rawValue

        switch event.status {
        case .scheduled, .queued:
            let queued: Int64? = event.status == .queued ? time : nil
            if let trigger = event.trigger {
                let source = event.triggeredBy
                try StatementBinder.execute(createRun) { b in
                    b.bind(runId)
                    b.bind(event.jobId)
                    b.bind(trigger.rawValue)
                    b.bind(source?.jobId)
                    b.bind(source?.runId)
                    b.bind(source?.status.rawValue)
                    b.bind((event.slot ?? event.time).millisecondsSinceEpoch)
                    b.bind(time)
                    b.bind(queued)
                    b.bind(status)
                    b.bind(event.attempt ?? 0)
                    b.bind(event.reason)
                }
            } else {
                try advance(runId, event, status: status, attempt: event.attempt, queued: queued)
            }
            if event.status == .queued, let number = event.attempt {
                try StatementBinder.execute(queueAttempt) { b in
                    b.bind(runId)
                    b.bind(number)
                    b.bind(time)
                }
            }
        case .running:
            try advance(runId, event, status: status, attempt: event.attempt, started: time)
            if let number = event.attempt {
                try StatementBinder.execute(startAttempt) { b in
                    b.bind(runId)
                    b.bind(number)
                    b.bind(event.queueWaitMs.map { time.saturatingSubtract($0) })
                    b.bind(time)
                }
            }
        case .retry:
            let retryAt = event.nextRetryIn.map { time.saturatingAdd($0) }
            try advance(runId, event, status: status, attempt: nil, retryAt: retryAt)
        case .deferred:
            try advance(runId, event, status: status, attempt: nil)
        case .success, .failed, .timeout, .cancelled, .interrupted, .skipped:
            let ends = event.endsRun
            try StatementBinder.execute(endRun) { b in
                b.bind(status)
                b.bind(event.exitCode)
                b.bind(event.signal)
                b.bind(event.reason)
                b.bind(event.nextRetryIn.map { time.saturatingAdd($0) })
                b.bind(ends ? time : nil)
                b.bind(ends)
                b.bind(runId)
            }
            if let number = event.attempt {
                try StatementBinder.execute(endAttempt) { b in
                    b.bind(time)
                    b.bind(status)
                    b.bind(event.exitCode)
                    b.bind(event.signal)
                    b.bind(event.durationMs)
                    b.bind(event.reason)
                    b.bind(runId)
                    b.bind(number)
                }
            }
        case .paused, .resumed, .stale, .chaos:
            // Job-level statuses never name a run; the event row is all there is to record.
            break
        }
    }

    func save(_ state: JobPersistentState) throws {
        try StatementBinder.execute(upsertJobState) { b in
            b.bind(state.jobId)
            b.bind(state.anchor?.millisecondsSinceEpoch)
            b.bind(state.lastSlot?.millisecondsSinceEpoch)
            b.bind(state.paused)
            b.bind(state.pausedBy)
            b.bind(state.pausedAt?.millisecondsSinceEpoch)
            b.bind(state.runCounter)
            b.bind(state.consecutiveFailures)
            b.bind(state.lastSuccess?.millisecondsSinceEpoch)
        }
    }

    private func advance(
        _ runId: String, _ event: Event, status: String, attempt: Int?, queued: Int64? = nil, started: Int64? = nil,
        retryAt: Int64? = nil
    ) throws {
        try StatementBinder.execute(advanceRun) { b in
            b.bind(status)
            b.bind(attempt)
            b.bind(queued)
            b.bind(started)
            b.bind(retryAt)
            b.bind(event.reason)
            b.bind(runId)
        }
    }
}

extension Int64 {
    /// `self + other`, held at the bounds instead of trapping: a retry delay or a wait from a hand-built event can
    /// be anything, and a wrong derived time is better than a crashed daemon.
    func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    func saturatingSubtract(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other > 0 ? .min : .max
    }
}
