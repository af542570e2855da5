/// The engine's memory of one active run. Ended runs are forgotten: their history lives in the events.
struct RunRecord {
    enum Phase: Equatable {
        /// Waiting in its job's dispatch queue.
        case queued
        /// Queued, but its job is paused: it waits for `resume` outside the dispatch queue.
        case held
        case running
        /// A process asked to stop; the attempt ends when its exit is reported.
        case stopping(ProcessTermination.Reason)
        case retryWait(until: Instant)
        case deferred(until: Instant, window: String)
    }

    /// Internal serial; also the tie-breaker that keeps equal slots in creation order.
    let key: Int
    let job: Int
    let id: String
    let trigger: Trigger
    /// The planned instant (jitter included) or, for manual runs, the request time. Orders the queue.
    let slot: Instant
    var triggeredBy: TriggerSource?
    /// The current attempt (1-based); 0 until the run is first queued.
    var attempt: Int = 0
    var phase: Phase
    var queuedAt: Instant
    var startedAt: Instant = Instant(millisecondsSinceEpoch: 0)
    var everStarted = false
    /// Bumped whenever a timer of this run becomes obsolete, so stale timers are ignored when they fire.
    var token: UInt32 = 0
    /// A simulated attempt's outcome, drawn when it starts.
    var simulatedFailure = false
    var isProcess = false
}

/// One pending wake-up. Ordered by due time, then by insertion, so simultaneous timers fire in a fixed order.
struct EngineTimer: Comparable {
    enum Kind: Equatable {
        case slot(job: Int, generation: UInt32)
        case catchup(job: Int, generation: UInt32)
        case quietEnd(job: Int, generation: UInt32)
        case stale(job: Int, generation: UInt32)
        case chaosEnd(job: Int, generation: UInt32)
        case completion(run: Int, token: UInt32)
        case timeout(run: Int, token: UInt32)
        case retry(run: Int, token: UInt32)
        case deadline(run: Int)
    }

    var due: Int64
    var order: UInt64
    var kind: Kind

    static func < (lhs: EngineTimer, rhs: EngineTimer) -> Bool {
        lhs.due != rhs.due ? lhs.due < rhs.due : lhs.order < rhs.order
    }

    static func == (lhs: EngineTimer, rhs: EngineTimer) -> Bool {
        lhs.due == rhs.due && lhs.order == rhs.order
    }
}

/// A run waiting in its job's queue: earlier slot first, then creation order.
struct QueueEntry: Comparable {
    var slot: Int64
    var run: Int

    static func < (lhs: QueueEntry, rhs: QueueEntry) -> Bool {
        lhs.slot != rhs.slot ? lhs.slot < rhs.slot : lhs.run < rhs.run
    }
}

/// A job's standing among the jobs that could start a run now: higher priority, then earlier slot, then job id.
struct DispatchKey: Comparable {
    var negatedPriority: Int
    var slot: Int64
    /// The job's rank in id order, so ties break by id without comparing strings.
    var ordinal: Int
    var run: Int

    static func < (lhs: DispatchKey, rhs: DispatchKey) -> Bool {
        if lhs.negatedPriority != rhs.negatedPriority { return lhs.negatedPriority < rhs.negatedPriority }
        if lhs.slot != rhs.slot { return lhs.slot < rhs.slot }
        if lhs.ordinal != rhs.ordinal { return lhs.ordinal < rhs.ordinal }
        return lhs.run < rhs.run
    }
}
