import GRDB
import OrkestronCore

extension Store {
    /// What the engine needs to resume after a restart (or a `kill -9`): every job's persisted state, the next
    /// event sequence number, and every run that had not ended, with the phase it was in.
    public func loadRestore() throws(StoreError) -> EngineRestore {
        try read("load the restart state") { db in
            var jobs: [String: JobPersistentState] = [:]
            let stateRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT job_id, anchor_ms, last_slot_ms, paused, paused_by, paused_at_ms, run_counter,
                        consecutive_failures, last_success_ms
                    FROM job_state
                    """)
            for row in stateRows {
                let state = JobPersistentState(
                    jobId: try row.decode(atIndex: 0),
                    anchor: StoredValue.instant(try row.decode(atIndex: 1)),
                    lastSlot: StoredValue.instant(try row.decode(atIndex: 2)),
                    paused: try row.decode(atIndex: 3),
                    pausedBy: try row.decode(atIndex: 4),
                    pausedAt: StoredValue.instant(try row.decode(atIndex: 5)),
                    runCounter: try row.decode(atIndex: 6),
                    consecutiveFailures: try row.decode(atIndex: 7),
                    lastSuccess: StoredValue.instant(try row.decode(atIndex: 8)))
                jobs[state.jobId] = state
            }

            let lastSeq = try Self.lastSeq(db)

            let runRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT job_id, run_id, status, attempt, slot_ms, "trigger", retry_at_ms, triggered_by_job,
                        triggered_by_run, triggered_by_status
                    FROM run WHERE final = 0 ORDER BY created_ms, rowid
                    """)
            var active: [RestoredRun] = []
            for row in runRows {
                let runId: String = try row.decode(atIndex: 1)
                let place = "run \(runId)"
                let retryAt: Int64? = try row.decode(atIndex: 6)
                guard
                    let phase = try Self.phase(
                        of: StoredValue.status(try row.decode(atIndex: 2), in: place), retryAt: retryAt)
                else { continue }
                var source: TriggerSource?
                let sourceJob: String? = try row.decode(atIndex: 7)
                let sourceRun: String? = try row.decode(atIndex: 8)
                let sourceStatus: String? = try row.decode(atIndex: 9)
                if let sourceJob, let sourceRun, let sourceStatus {
                    source = TriggerSource(
                        jobId: sourceJob, runId: sourceRun, status: try StoredValue.status(sourceStatus, in: place))
                }
                active.append(
                    RestoredRun(
                        jobId: try row.decode(atIndex: 0), runId: runId, phase: phase,
                        attempt: try row.decode(atIndex: 3),
                        slot: Instant(millisecondsSinceEpoch: try row.decode(atIndex: 4)),
                        trigger: try StoredValue.trigger(try row.decode(atIndex: 5), in: place),
                        triggeredBy: source))
            }
            return EngineRestore(jobs: jobs, nextSeq: UInt64(max(lastSeq, 0)) + 1, activeRuns: active)
        }
    }

    /// The phase a run resumes in, from its latest status; nil for a status that ends a run (not expected on a
    /// run that is not final, and nothing to resume).
    static func phase(of status: EventStatus, retryAt: Int64?) -> RestoredRun.Phase? {
        switch status {
        case .scheduled:
            return .scheduled
        case .queued:
            return .queued
        case .running:
            return .running
        case .retry, .failed, .timeout, .interrupted:
            // A failed attempt with retries left carries its retry time. An INTERRUPTED without one is the last
            // attempt, whose closing FAILED commits in the same transaction; should it ever be missing, resuming
            // as running makes the engine interrupt it again and end the run.
            guard let retryAt else { return .running }
            return .retryWait(until: Instant(millisecondsSinceEpoch: retryAt))
        case .deferred:
            return .deferred
        case .success, .cancelled, .skipped, .paused, .resumed, .stale, .chaos:
            return nil
        }
    }

    /// The highest `seq` ever stored, including events that `prune` has deleted since.
    static func lastSeq(_ db: Database) throws -> Int64 {
        let stored = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM event") ?? 0
        let pruned =
            try Int64.fetchOne(
                db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?",
                arguments: [MetaKey.prunedThroughSeq]) ?? 0
        return max(stored, pruned)
    }
}

/// Keys of the `meta` table that the store itself maintains.
enum MetaKey {
    /// The highest seq present when `prune` last ran, so deleting old events never lowers the next seq.
    static let prunedThroughSeq = "pruned_through_seq"
}
