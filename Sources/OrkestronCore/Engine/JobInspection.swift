/// What the engine knows about one job right now: the raw material of `jobs.list`, `jobs.get` and "why".
public struct JobInspection: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case idle, scheduled, queued, running, retrying, deferred, paused
    }

    /// One active run and where it stands.
    public struct ActiveRun: Sendable, Hashable {
        public enum Phase: Sendable, Hashable {
            case queued
            /// Queued, but held while the job is paused.
            case held
            case running(since: Instant)
            case stopping(since: Instant, reason: String)
            case retryWait(until: Instant)
            case deferred(until: Instant, window: String)
        }

        public var runId: String
        public var attempt: Int
        public var trigger: Trigger
        public var slot: Instant
        public var queuedAt: Instant
        public var phase: Phase
    }

    /// Occupancy of one concurrency limit.
    public struct Limit: Sendable, Hashable {
        public var running: Int
        /// `nil` when there is no limit at this level.
        public var limit: Int?
        /// Ids of the runs holding the slots (for the type and global levels: their jobs), at most a few.
        public var holders: [String]

        public var isFull: Bool { limit.map { running >= $0 } ?? false }
    }

    public var jobId: String
    public var definition: JobDefinition
    public var state: State
    public var paused: Bool
    public var pausedBy: String?
    public var pausedAt: Instant?
    public var pauseReason: String?
    /// The next nominal slot and the instant it comes due (jitter included).
    public var nextSlot: Instant?
    public var nextDue: Instant?
    public var lastSlot: Instant?
    public var lastFinished: (runId: String, status: EventStatus, at: Instant)?
    public var lastSuccess: Instant?
    public var consecutiveFailures: Int
    public var activeRuns: [ActiveRun]
    public var jobLimit: Limit
    public var typeLimit: Limit
    public var globalLimit: Limit
    public var chaosRate: Double?
    public var isDraining: Bool

    public static func == (lhs: JobInspection, rhs: JobInspection) -> Bool {
        lhs.jobId == rhs.jobId && lhs.state == rhs.state && lhs.activeRuns == rhs.activeRuns
            && lhs.nextDue == rhs.nextDue && lhs.paused == rhs.paused
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(jobId)
        hasher.combine(state)
    }
}

/// One upcoming slot with the policies that will apply to it.
public struct PlannedSlot: Sendable, Hashable {
    public var slot: Instant
    /// The range the jitter may move the start to.
    public var earliest: Instant
    public var latest: Instant
    /// Quiet hours covering the slot: their name, action and end.
    public var quietHours: (name: String, action: QuietHours.Action, until: Instant)?
    public var paused: Bool

    public static func == (lhs: PlannedSlot, rhs: PlannedSlot) -> Bool {
        lhs.slot == rhs.slot && lhs.earliest == rhs.earliest && lhs.latest == rhs.latest
            && lhs.paused == rhs.paused && lhs.quietHours?.name == rhs.quietHours?.name
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(slot) }
}
