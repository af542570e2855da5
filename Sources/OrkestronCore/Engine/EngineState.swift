/// What the daemon persists per job so a restart keeps the schedule's phase, the pause state and the counters.
public struct JobPersistentState: Sendable, Hashable {
    public var jobId: String
    /// First activation of an interval schedule: slots are `anchor + offset + k × interval`.
    public var anchor: Instant?
    /// The last slot that received an outcome; slots after it and before a restart were missed.
    public var lastSlot: Instant?
    public var paused: Bool
    public var pausedBy: String?
    public var pausedAt: Instant?
    /// Number of runs created so far; the next run is `<job>-<counter + 1>`.
    public var runCounter: Int
    public var consecutiveFailures: Int
    public var lastSuccess: Instant?

    public init(
        jobId: String, anchor: Instant? = nil, lastSlot: Instant? = nil, paused: Bool = false,
        pausedBy: String? = nil, pausedAt: Instant? = nil, runCounter: Int = 0, consecutiveFailures: Int = 0,
        lastSuccess: Instant? = nil
    ) {
        self.jobId = jobId
        self.anchor = anchor
        self.lastSlot = lastSlot
        self.paused = paused
        self.pausedBy = pausedBy
        self.pausedAt = pausedAt
        self.runCounter = runCounter
        self.consecutiveFailures = consecutiveFailures
        self.lastSuccess = lastSuccess
    }
}

/// A run that was active when the daemon stopped, as found in the store on the next start.
public struct RestoredRun: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        /// Created but not yet queued (the daemon stopped between the two events).
        case scheduled
        case queued
        /// Was running: it becomes INTERRUPTED and is handled like a failed attempt.
        case running
        case retryWait(until: Instant)
        case deferred
    }

    public var jobId: String
    public var runId: String
    public var phase: Phase
    /// The attempt the run was at (0 when it never got queued).
    public var attempt: Int
    public var slot: Instant
    public var trigger: Trigger
    public var triggeredBy: TriggerSource?

    public init(
        jobId: String, runId: String, phase: Phase, attempt: Int, slot: Instant, trigger: Trigger,
        triggeredBy: TriggerSource? = nil
    ) {
        self.jobId = jobId
        self.runId = runId
        self.phase = phase
        self.attempt = attempt
        self.slot = slot
        self.trigger = trigger
        self.triggeredBy = triggeredBy
    }
}

/// Everything a restart hands back to the engine.
public struct EngineRestore: Sendable {
    public var jobs: [String: JobPersistentState]
    /// The sequence number the next event gets (one past the last stored).
    public var nextSeq: UInt64
    public var activeRuns: [RestoredRun]

    public init(jobs: [String: JobPersistentState] = [:], nextSeq: UInt64 = 1, activeRuns: [RestoredRun] = []) {
        self.jobs = jobs
        self.nextSeq = nextSeq
        self.activeRuns = activeRuns
    }
}
