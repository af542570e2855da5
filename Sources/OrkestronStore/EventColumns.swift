import GRDB
import OrkestronCore

/// How an `Event` maps to a row of the `event` table and back, field for field, so a stored event reads back
/// equal to the one the engine emitted.
enum EventColumns {
    /// The columns in the order of `bind(_:to:)` and of `decode(_:)`.
    static let selection = """
        seq, time_ms, job_id, run_id, status, attempt, duration_ms, next_retry_in, reason, "trigger", slot_ms,
        exit_code, signal, lateness_ms, queue_wait_ms, "by", triggered_by_job, triggered_by_run, triggered_by_status
        """

    /// Binds the columns of `selection`, in order.
    static func bind(_ event: Event, to binder: inout StatementBinder) {
        let source = event.triggeredBy
        binder.bind(Int64(bitPattern: event.seq))
        binder.bind(event.time.millisecondsSinceEpoch)
        binder.bind(event.jobId)
        binder.bind(event.runId)
        binder.bind(event.status.rawValue)
        binder.bind(event.attempt)
        binder.bind(event.durationMs)
        binder.bind(event.nextRetryIn)
        binder.bind(event.reason)
        binder.bind(event.trigger?.rawValue)
        binder.bind(event.slot?.millisecondsSinceEpoch)
        binder.bind(event.exitCode)
        binder.bind(event.signal)
        binder.bind(event.latenessMs)
        binder.bind(event.queueWaitMs)
        binder.bind(event.by)
        binder.bind(source?.jobId)
        binder.bind(source?.runId)
        binder.bind(source?.status.rawValue)
    }

    /// Reads a row selected with `selection`.
    static func decode(_ row: Row) throws -> Event {
        let seq: Int64 = try row.decode(atIndex: 0)
        var triggeredBy: TriggerSource?
        let sourceJob: String? = try row.decode(atIndex: 16)
        let sourceRun: String? = try row.decode(atIndex: 17)
        let sourceStatus: String? = try row.decode(atIndex: 18)
        if let sourceJob, let sourceRun, let sourceStatus {
            triggeredBy = TriggerSource(
                jobId: sourceJob, runId: sourceRun, status: try StoredValue.status(sourceStatus, in: "event \(seq)"))
        }
        let trigger: String? = try row.decode(atIndex: 9)
        let slot: Int64? = try row.decode(atIndex: 10)
        return Event(
            seq: UInt64(bitPattern: seq),
            time: Instant(millisecondsSinceEpoch: try row.decode(atIndex: 1)),
            jobId: try row.decode(atIndex: 2),
            runId: try row.decode(atIndex: 3),
            status: try StoredValue.status(try row.decode(atIndex: 4), in: "event \(seq)"),
            attempt: try row.decode(atIndex: 5),
            durationMs: try row.decode(atIndex: 6),
            nextRetryIn: try row.decode(atIndex: 7),
            reason: try row.decode(atIndex: 8),
            trigger: try trigger.map { try StoredValue.trigger($0, in: "event \(seq)") },
            slot: slot.map(Instant.init(millisecondsSinceEpoch:)),
            exitCode: try row.decode(atIndex: 11),
            signal: try row.decode(atIndex: 12),
            latenessMs: try row.decode(atIndex: 13),
            queueWaitMs: try row.decode(atIndex: 14),
            by: try row.decode(atIndex: 15),
            triggeredBy: triggeredBy)
    }
}

/// Parsing of the wire names stored in text columns.
enum StoredValue {
    static func status(_ text: String, in place: String) throws -> EventStatus {
        guard let status = EventStatus(rawValue: text) else {
            throw CorruptRow(detail: "\(place): unknown status \"\(text)\"")
        }
        return status
    }

    static func trigger(_ text: String, in place: String) throws -> Trigger {
        guard let trigger = Trigger(rawValue: text) else {
            throw CorruptRow(detail: "\(place): unknown trigger \"\(text)\"")
        }
        return trigger
    }

    static func instant(_ milliseconds: Int64?) -> Instant? {
        milliseconds.map(Instant.init(millisecondsSinceEpoch:))
    }
}
