import Foundation
import GRDB

/// The daemon's database as the crash test reads it: opened read-only while no daemon runs, with its own SQL
/// (not the store module's), and checked against the promises of SPEC §2, §4 and §8.
///
/// Each check returns the problems it found as sentences; an empty list is a pass.
struct StoreAudit {
    struct Event: Sendable, Hashable {
        var seq: Int64
        var timeMs: Int64
        var jobId: String
        var runId: String?
        var status: String
        var attempt: Int?
        var nextRetryIn: Int64?
        var reason: String?
    }

    struct Run: Sendable, Hashable {
        var runId: String
        var jobId: String
        var trigger: String
        var slotMs: Int64
        var status: String
        var final: Bool
        var reason: String?
    }

    /// One `kill -9`: the daemon was dead by `killedAtMs`, and the next one was started at `restartedAtMs`. An
    /// event at or before the first is the killed daemon's; one at or after the second, its successor's.
    struct KillWindow: Sendable, Hashable {
        var killedAtMs: Int64
        var restartedAtMs: Int64
    }

    let events: [Event]
    let runs: [String: Run]
    /// run id → its attempts' statuses, by attempt number.
    let attempts: [String: [Int: String]]
    /// job id → persisted paused flag.
    let paused: [String: Bool]
    let processGroupRows: Int
    let integrityCheck: [String]

    init(databasePath path: String) throws {
        let queue = try Self.open(path)
        defer { try? queue.close() }
        (events, runs, attempts, paused, processGroupRows, integrityCheck) = try queue.read { db in
            let events = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, time_ms, job_id, run_id, status, attempt, next_retry_in, reason
                    FROM event ORDER BY seq
                    """
            ).map { row in
                Event(
                    seq: row[0], timeMs: row[1], jobId: row[2], runId: row[3], status: row[4], attempt: row[5],
                    nextRetryIn: row[6], reason: row[7])
            }
            var runs: [String: Run] = [:]
            for row in try Row.fetchAll(
                db, sql: #"SELECT run_id, job_id, "trigger", slot_ms, status, final, reason FROM run"#)
            {
                let run = Run(
                    runId: row[0], jobId: row[1], trigger: row[2], slotMs: row[3], status: row[4], final: row[5],
                    reason: row[6])
                runs[run.runId] = run
            }
            var attempts: [String: [Int: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT run_id, number, status FROM attempt") {
                attempts[row[0], default: [:]][row[1]] = row[2]
            }
            let paused = try Self.pausedStates(db)
            let groups = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM process_group") ?? -1
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            return (events, runs, attempts, paused, groups, integrity)
        }
    }

    /// The persisted paused flag of every job, read without loading the history (after each kill).
    static func pausedStates(databasePath path: String) throws -> [String: Bool] {
        let queue = try open(path)
        defer { try? queue.close() }
        return try queue.read { try pausedStates($0) }
    }

    /// The id the daemon marks its job processes with (`ORKESTRON_INSTANCE`).
    static func instance(databasePath path: String) throws -> String? {
        let queue = try open(path)
        defer { try? queue.close() }
        return try queue.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'instance'") }
    }

    private static func pausedStates(_ db: Database) throws -> [String: Bool] {
        var paused: [String: Bool] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT job_id, paused FROM job_state") { paused[row[0]] = row[1] }
        return paused
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    // MARK: - Checks

    /// Each run's events in seq order.
    var eventsByRun: [String: [Event]] {
        var byRun: [String: [Event]] = [:]
        for event in events {
            if let runId = event.runId { byRun[runId, default: []].append(event) }
        }
        return byRun
    }

    /// Sequence numbers run 1, 2, 3… with no gap or repeat (a kill loses only events never committed, and the
    /// next daemon continues after the last stored one), and times never go back along them.
    func sequenceProblems() -> [String] {
        var problems: [String] = []
        for (index, event) in events.enumerated() {
            if event.seq != Int64(index) + 1 {
                problems.append("event #\(index + 1) has seq \(event.seq)")
            }
            if index > 0, event.timeMs < events[index - 1].timeMs {
                problems.append("seq \(event.seq) at \(event.timeMs) ms is earlier than seq \(events[index - 1].seq)")
            }
        }
        return problems
    }

    /// No run succeeds twice, by its events or by its attempt rows.
    func doubleSuccessProblems() -> [String] {
        var problems: [String] = []
        for (runId, events) in eventsByRun where events.filter({ $0.status == "SUCCESS" }).count > 1 {
            problems.append("run \(runId) has \(events.filter { $0.status == "SUCCESS" }.count) SUCCESS events")
        }
        for (runId, byNumber) in attempts where byNumber.values.filter({ $0 == "SUCCESS" }).count > 1 {
            problems.append("run \(runId) has several SUCCESS attempts: \(byNumber.sorted { $0.key < $1.key })")
        }
        return problems
    }

    /// No planned slot of a job has two runs (a scheduled slot and a catch-up of the same slot included).
    func duplicateSlotProblems() -> [String] {
        var seen: [String: String] = [:]
        var problems: [String] = []
        for run in runs.values.sorted(by: { $0.runId < $1.runId })
        where run.trigger == "schedule" || run.trigger == "catchup" {
            let key = "\(run.jobId)@\(run.slotMs)"
            if let other = seen[key] {
                problems.append("slot \(run.slotMs) of \(run.jobId) has two runs: \(other) and \(run.runId)")
            }
            seen[key] = run.runId
        }
        return problems
    }

    /// Every run's events follow SPEC §2's transitions (with §8's additions), start with SCHEDULED or QUEUED,
    /// stop after an ending status, use no more than 1 + max_retries attempts, and agree with the run row.
    func transitionProblems(maxRetries: [String: Int]) -> [String] {
        let legal: [String: Set<String>] = [
            "SCHEDULED": ["QUEUED", "DEFERRED", "SKIPPED"],
            "QUEUED": ["RUNNING", "CANCELLED", "SKIPPED"],
            "RUNNING": ["SUCCESS", "FAILED", "TIMEOUT", "CANCELLED", "INTERRUPTED"],
            "FAILED": ["RETRY"], "TIMEOUT": ["RETRY"], "INTERRUPTED": ["RETRY", "FAILED"],
            "RETRY": ["QUEUED", "CANCELLED"], "DEFERRED": ["QUEUED", "SKIPPED", "CANCELLED"],
            "SUCCESS": [], "CANCELLED": [], "SKIPPED": [],
        ]
        var problems: [String] = []
        for (runId, events) in eventsByRun {
            guard let first = events.first, ["SCHEDULED", "QUEUED"].contains(first.status) else {
                problems.append("run \(runId) starts with \(events.first?.status ?? "nothing")")
                continue
            }
            for (previous, next) in zip(events, events.dropFirst())
            where legal[previous.status]?.contains(next.status) != true {
                problems.append("run \(runId): \(previous.status) → \(next.status) (seq \(next.seq))")
            }
            let limit = 1 + (maxRetries[first.jobId] ?? 0)
            if let attempt = events.compactMap(\.attempt).max(), attempt > limit {
                problems.append("run \(runId) reached attempt \(attempt), more than 1 + max_retries = \(limit)")
            }
            if let run = runs[runId], run.status != events.last?.status {
                problems.append("run \(runId) is \(run.status) in the run table, \(events.last!.status) in the events")
            } else if runs[runId] == nil {
                problems.append("run \(runId) has events but no run row")
            }
        }
        return problems
    }

    /// Every attempt that was running across a kill ended INTERRUPTED (and only those did); then, with attempts
    /// left, the run went to RETRY (and on to its next attempt, or still waits), and without, it ended FAILED with
    /// the reason `interrupted by daemon restart`. Every attempt that started has ended (the daemon was stopped
    /// gracefully at the end). Returns the problems and the runs that were interrupted.
    func interruptionProblems(kills: [KillWindow], maxRetries: [String: Int]) -> (
        problems: [String], interruptedRuns: Set<String>
    ) {
        let ending: Set<String> = ["SUCCESS", "FAILED", "TIMEOUT", "CANCELLED", "INTERRUPTED"]
        var problems: [String] = []
        var interrupted = Set<String>()
        for (runId, events) in eventsByRun {
            var startedAt: [Int: Int64] = [:]
            var ended = Set<Int>()
            for (index, event) in events.enumerated() {
                guard let attempt = event.attempt else { continue }
                if event.status == "RUNNING" {
                    if startedAt[attempt] != nil && !ended.contains(attempt) {
                        problems.append("run \(runId) attempt \(attempt) started again without ending (seq \(event.seq))")
                    }
                    startedAt[attempt] = event.timeMs
                    continue
                }
                guard ending.contains(event.status), let started = startedAt[attempt], !ended.contains(attempt)
                else { continue }
                ended.insert(attempt)
                let across = kills.contains { started <= $0.killedAtMs && event.timeMs >= $0.restartedAtMs }
                if across && event.status != "INTERRUPTED" {
                    problems.append("run \(runId) attempt \(attempt) ran across a kill but ended \(event.status)")
                }
                guard event.status == "INTERRUPTED" else { continue }
                interrupted.insert(runId)
                if !across {
                    problems.append("run \(runId) attempt \(attempt) is INTERRUPTED but no kill cut it")
                }
                let after = events[(index + 1)...]
                if attempt < 1 + (maxRetries[event.jobId] ?? 0) {
                    if event.nextRetryIn == nil || after.first?.status != "RETRY" {
                        problems.append(
                            "run \(runId) attempt \(attempt) was interrupted with retries left but is not retried: "
                                + "then \(after.first?.status ?? "nothing")")
                    } else if let next = after.dropFirst().first {
                        let retried = next.status == "QUEUED" && next.attempt == attempt + 1
                        if !retried && next.status != "CANCELLED" {
                            problems.append("run \(runId) RETRY after attempt \(attempt) went on to \(next.status)")
                        }
                    } else if runs[runId]?.status != "RETRY" || runs[runId]?.final == true {
                        problems.append("run \(runId) waits for its retry, but its row says \(runs[runId]?.status ?? "-")")
                    }
                } else {
                    let reason = "interrupted by daemon restart"
                    let run = runs[runId]
                    if after.first?.status != "FAILED" || after.first?.reason != reason
                        || run?.status != "FAILED" || run?.final != true || run?.reason != reason
                    {
                        problems.append(
                            "run \(runId): its last attempt \(attempt) was interrupted, so it must end FAILED "
                                + "(\(reason)); then \(after.first?.status ?? "nothing"), row \(run?.status ?? "-")")
                    }
                }
            }
            for attempt in startedAt.keys where !ended.contains(attempt) {
                problems.append("run \(runId) attempt \(attempt) started and never ended")
            }
        }
        return (problems, interrupted)
    }

    /// A job process found alive after a kill, named by the variables it inherited.
    struct Orphan: Sendable, Hashable {
        var runId: String
        var attempt: Int
        var killedAtMs: Int64
    }

    /// The processes themselves say which attempts were running at each kill: each such attempt has a RUNNING
    /// event (a process never runs for an attempt the store has not seen start) and ends INTERRUPTED, unless the
    /// killed daemon had already ended it (a cancel or timeout waiting for the process to go).
    func orphanProblems(_ orphans: Set<Orphan>) -> [String] {
        let byRun = eventsByRun
        var problems: [String] = []
        for orphan in orphans.sorted(by: { ($0.runId, $0.attempt) < ($1.runId, $1.attempt) }) {
            let events = (byRun[orphan.runId] ?? []).filter { $0.attempt == orphan.attempt }
            guard let started = events.first(where: { $0.status == "RUNNING" }) else {
                problems.append(
                    "a process of run \(orphan.runId) attempt \(orphan.attempt) ran at a kill, but the store never "
                        + "saw that attempt start")
                continue
            }
            let end = events.first {
                $0.seq > started.seq && ["SUCCESS", "FAILED", "TIMEOUT", "CANCELLED", "INTERRUPTED"].contains($0.status)
            }
            if let end, end.status != "INTERRUPTED" && end.timeMs > orphan.killedAtMs {
                problems.append(
                    "run \(orphan.runId) attempt \(orphan.attempt) had a process running at a kill but ended \(end.status)")
            }
        }
        return problems
    }

    /// The job's PAUSED and RESUMED events hold every acknowledged change in order (true: pause), and no run
    /// was scheduled while the job was paused.
    func pauseProblems(job: String, acknowledged: [Bool]) -> [String] {
        var problems: [String] = []
        var pending = acknowledged[...]
        var isPaused = false
        for event in events where event.jobId == job {
            switch event.status {
            case "PAUSED", "RESUMED":
                isPaused = event.status == "PAUSED"
                if let wanted = pending.first, wanted == isPaused { pending.removeFirst() }
            case "SCHEDULED" where isPaused:
                problems.append("\(job) scheduled run \(event.runId ?? "?") while paused (seq \(event.seq))")
            default:
                break
            }
        }
        if !pending.isEmpty {
            problems.append(
                "\(job): \(pending.count) of \(acknowledged.count) acknowledged pause/resume changes are not in the "
                    + "history (next missing: \(pending.first! ? "pause" : "resume"))")
        }
        return problems
    }
}
