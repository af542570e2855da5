/// One state change, as stored, logged and streamed.
///
/// The field names are those of the original design's event notification (SPEC §5); everything beyond them is
/// optional detail that `orkctl trace`, `explain` and the metrics use.
public struct Event: Sendable, Hashable {
    /// Strictly increasing across the daemon's whole history.
    public var seq: UInt64
    public var time: Instant
    public var jobId: String
    /// `nil` for job-level events (PAUSED, RESUMED, STALE, CHAOS).
    public var runId: String?
    public var status: EventStatus
    public var attempt: Int?
    public var durationMs: Int64?
    public var nextRetryIn: Int64?
    public var reason: String?
    /// On a run's first event: why the run exists.
    public var trigger: Trigger?
    /// On SCHEDULED, QUEUED and RUNNING: the planned instant (jitter included) the run belongs to.
    public var slot: Instant?
    public var exitCode: Int32?
    public var signal: Int32?
    /// On RUNNING of a first attempt of a scheduled run: start minus planned slot.
    public var latenessMs: Int64?
    /// On RUNNING: start minus the time the attempt was queued.
    public var queueWaitMs: Int64?
    /// On PAUSED and RESUMED: who did it (e.g. "uid 1000", "config", "auto").
    public var by: String?
    /// On a triggered run's QUEUED: the run whose end triggered it.
    public var triggeredBy: TriggerSource?

    public init(
        seq: UInt64, time: Instant, jobId: String, runId: String?, status: EventStatus, attempt: Int? = nil,
        durationMs: Int64? = nil, nextRetryIn: Int64? = nil, reason: String? = nil, trigger: Trigger? = nil,
        slot: Instant? = nil, exitCode: Int32? = nil, signal: Int32? = nil, latenessMs: Int64? = nil,
        queueWaitMs: Int64? = nil, by: String? = nil, triggeredBy: TriggerSource? = nil
    ) {
        self.seq = seq
        self.time = time
        self.jobId = jobId
        self.runId = runId
        self.status = status
        self.attempt = attempt
        self.durationMs = durationMs
        self.nextRetryIn = nextRetryIn
        self.reason = reason
        self.trigger = trigger
        self.slot = slot
        self.exitCode = exitCode
        self.signal = signal
        self.latenessMs = latenessMs
        self.queueWaitMs = queueWaitMs
        self.by = by
        self.triggeredBy = triggeredBy
    }

    /// Whether this event ends its run (no further event will name the run).
    public var endsRun: Bool {
        switch status {
        case .success, .cancelled, .skipped: return true
        case .failed, .timeout: return nextRetryIn == nil
        case .interrupted, .scheduled, .queued, .running, .retry, .deferred, .paused, .resumed, .stale, .chaos:
            return false
        }
    }
}

/// The run whose end started a triggered run (`on_success` / `on_failure`).
public struct TriggerSource: Sendable, Hashable {
    public var jobId: String
    public var runId: String
    public var status: EventStatus

    public init(jobId: String, runId: String, status: EventStatus) {
        self.jobId = jobId
        self.runId = runId
        self.status = status
    }
}
