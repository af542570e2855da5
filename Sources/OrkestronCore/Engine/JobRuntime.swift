/// The engine's per-job state: its definition, schedule position, queue and counters.
struct JobRuntime {
    var definition: JobDefinition
    var ordinal: Int
    var typeIndex: Int
    var limit: Int
    /// Computes slots; rebuilt when the anchor changes.
    var planner = SlotPlanner.none
    /// Set when the persistent state changed and the daemon has not taken it yet.
    var isDirty = false
    /// Indices into the settings' quiet hours that concern this job.
    var quietHours: [Int]
    var random: SplitMix64

    var anchor: Instant?
    var lastSlot: Instant?
    /// The next nominal slot and the instant it comes due (jitter added).
    var nextSlot: Instant?
    var nextDue: Instant?
    var slotGeneration: UInt32 = 0

    var paused = false
    var pausedBy: String?
    var pausedAt: Instant?
    var pauseReason: String?

    var runCounter = 0
    var consecutiveFailures = 0
    var lastSuccess: Instant?
    var lastFinished: (runId: String, status: EventStatus, at: Instant)?
    var activatedAt: Instant

    /// Every active run of the job, in creation order.
    var active: [Int] = []
    var queue = BinaryHeap<QueueEntry>()
    var held: [Int] = []
    var deferred: [Int] = []
    var quietGeneration: UInt32 = 0
    var running = 0

    var pendingCatchups: [Instant] = []
    var catchupStagger: Int64 = 0
    var catchupGeneration: UInt32 = 0

    var staleGeneration: UInt32 = 0
    var chaosRate: Double?
    var chaosGeneration: UInt32 = 0

    /// Removed by a reload: no new slots; its active runs finish.
    var removed = false

    init(definition: JobDefinition, ordinal: Int, typeIndex: Int, seed: UInt64, quietHours: [Int], now: Instant) {
        self.definition = definition
        self.ordinal = ordinal
        self.typeIndex = typeIndex
        self.limit = definition.effectiveMaxConcurrency
        self.quietHours = quietHours
        self.random = SplitMix64(seed: seed, stream: definition.id)
        self.activatedAt = now
        paused = definition.pausedInitially
        if paused { pausedBy = "config" }
        updatePlanner()
    }

    /// Rebuilds the slot planner from the schedule and the anchor.
    mutating func updatePlanner() {
        switch definition.schedule {
        case .manual:
            planner = .none
        case .interval(let every, let offset):
            planner = .interval(base: (anchor ?? activatedAt).millisecondsSinceEpoch + offset, every: every)
        case .cron(let expression, let zone):
            planner = .cron(CronSchedule(expression: expression, zone: ZoneRules.named(zone) ?? .utc))
        }
    }

    var persistentState: JobPersistentState {
        JobPersistentState(
            jobId: definition.id, anchor: anchor, lastSlot: lastSlot, paused: paused, pausedBy: pausedBy,
            pausedAt: pausedAt, runCounter: runCounter, consecutiveFailures: consecutiveFailures,
            lastSuccess: lastSuccess)
    }
}

/// A type's share of the concurrency limits and the jobs of that type able to start a run now.
struct TypeRuntime {
    var name: String?
    var limit: Int
    var running = 0
    var ready = IndexedHeap<DispatchKey>()
}

/// Where a job's slots fall, precomputed so that planning a slot touches nothing else of the job.
enum SlotPlanner {
    case none
    /// Slots at `base + k × every`, k ≥ 1.
    case interval(base: Int64, every: Int64)
    case cron(CronSchedule)

    /// The first nominal slot strictly after `instant`, or nil for manual jobs and exhausted cron expressions.
    func slot(after instant: Instant) -> Instant? {
        switch self {
        case .none:
            return nil
        case .interval(let base, let every):
            guard every > 0 else { return nil }
            let elapsed = instant.millisecondsSinceEpoch - base
            let k = elapsed >= 0 ? elapsed / every + 1 : 1
            return Instant(millisecondsSinceEpoch: base + k * every)
        case .cron(let schedule):
            return schedule.next(after: instant)
        }
    }
}
