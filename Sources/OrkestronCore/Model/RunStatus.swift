/// The status an event records: a run's state after a transition, or a job-level change.
///
/// The raw values are the wire names of SPEC §2 and §8.
public enum EventStatus: String, Sendable, Hashable, CaseIterable {
    case scheduled = "SCHEDULED"
    case queued = "QUEUED"
    case running = "RUNNING"
    case success = "SUCCESS"
    case failed = "FAILED"
    case timeout = "TIMEOUT"
    case cancelled = "CANCELLED"
    case retry = "RETRY"
    case deferred = "DEFERRED"
    case skipped = "SKIPPED"
    case interrupted = "INTERRUPTED"
    // Job-level events (runId is nil).
    case paused = "PAUSED"
    case resumed = "RESUMED"
    case stale = "STALE"
    case chaos = "CHAOS"

    /// Whether the status belongs to a run (as opposed to a job-level event).
    public var isRunStatus: Bool {
        switch self {
        case .scheduled, .queued, .running, .success, .failed, .timeout, .cancelled, .retry, .deferred, .skipped,
            .interrupted:
            return true
        case .paused, .resumed, .stale, .chaos:
            return false
        }
    }

    /// Statuses a run may be created with.
    public var canStartRun: Bool { self == .scheduled || self == .queued }

    /// The only legal transitions of SPEC §2, plus the three the clarifications add: a queued run whose
    /// `deadline` passes is SKIPPED, deferred runs coalesced at the end of a quiet-hours window are SKIPPED, and
    /// an INTERRUPTED last attempt ends the run FAILED.
    public func canTransition(to next: EventStatus) -> Bool {
        switch (self, next) {
        case (.scheduled, .queued), (.scheduled, .deferred), (.scheduled, .skipped):
            return true
        case (.queued, .running), (.queued, .cancelled), (.queued, .skipped):
            return true
        case (.running, .success), (.running, .failed), (.running, .timeout), (.running, .cancelled),
            (.running, .interrupted):
            return true
        case (.failed, .retry), (.timeout, .retry), (.interrupted, .retry), (.interrupted, .failed):
            return true
        case (.retry, .queued), (.retry, .cancelled):
            return true
        case (.deferred, .queued), (.deferred, .skipped), (.deferred, .cancelled):
            return true
        default:
            return false
        }
    }

    /// Whether a run whose latest event has this status is over, given whether a RETRY is still to follow.
    public var isFinal: Bool {
        switch self {
        case .success, .cancelled, .skipped: return true
        // FAILED, TIMEOUT and INTERRUPTED are final only when no RETRY follows; the engine knows which.
        case .failed, .timeout, .interrupted: return false
        case .scheduled, .queued, .running, .retry, .deferred, .paused, .resumed, .stale, .chaos: return false
        }
    }
}

/// Why a run exists.
public enum Trigger: String, Sendable, Hashable, CaseIterable {
    case schedule
    case manual
    case onSuccess = "on_success"
    case onFailure = "on_failure"
    case catchup
}
