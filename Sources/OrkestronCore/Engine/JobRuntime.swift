/// The engine's per-job state: its definition, schedule position, queue and counters.
struct JobRuntime {
    var definition: JobDefinition
    var ordinal: Int
    var typeIndex: Int
    var limit: Int
    var cron: CronSchedule?
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
        if case .cron(let expression, let zone) = definition.schedule {
            cron = CronSchedule(expression: expression, zone: ZoneRules.named(zone) ?? .utc)
        }
        paused = definition.pausedInitially
        if paused { pausedBy = "config" }
    }

    /// The first nominal slot strictly after `instant`, or nil for manual jobs and exhausted cron expressions.
    func slot(after instant: Instant) -> Instant? {
        switch definition.schedule {
        case .manual:
            return nil
        case .interval(let every, let offset):
            guard every > 0 else { return nil }
            let base = (anchor ?? activatedAt).millisecondsSinceEpoch + offset
            let elapsed = instant.millisecondsSinceEpoch - base
            var k = elapsed >= 0 ? elapsed / every + 1 : 1
            if k < 1 { k = 1 }
            return Instant(millisecondsSinceEpoch: base + k * every)
        case .cron:
            return cron?.next(after: instant)
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
