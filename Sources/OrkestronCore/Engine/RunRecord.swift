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

    /// Slot in the run table; reused after the run ends.
    let key: Int
    /// Creation order, never reused: the tie-breaker that keeps equal slots in creation order.
    let serial: Int
    let job: Int
    let id: String
    let trigger: Trigger
    /// The planned instant (jitter included) or, for manual runs, the request time. Orders the queue.
    let slot: Instant
    var triggeredBy: TriggerSource?
    /// Bumped (from a counter that is never reused) whenever a timer of this run becomes obsolete, so stale
    /// timers are ignored when they fire.
    var token: UInt64
    /// The current attempt (1-based); 0 until the run is first queued.
    var attempt: Int = 0
    var phase: Phase
    var queuedAt: Instant
    var startedAt: Instant = Instant(millisecondsSinceEpoch: 0)
    var everStarted = false
    /// A simulated attempt's outcome, drawn when it starts, and whether failure injection (chaos) drew it.
    var simulatedFailure = false
    var failureInjected = false
    var isProcess = false
    /// Why a process run is being cancelled, recorded when its exit is reported.
    var cancelReason: String?

    var queueEntry: QueueEntry {
        QueueEntry(slot: slot.millisecondsSinceEpoch, serial: serial, run: key)
    }
}

/// One pending wake-up. Ordered by due time, then by insertion, so simultaneous timers fire in a fixed order.
struct EngineTimer: Comparable {
    enum Kind: Equatable {
        case slot(job: Int, generation: UInt32)
        case catchup(job: Int, generation: UInt32)
        case quietEnd(job: Int, generation: UInt32)
        case stale(job: Int, generation: UInt32)
        case chaosEnd(job: Int, generation: UInt32)
        case completion(run: Int, token: UInt64)
        case timeout(run: Int, token: UInt64)
        case retry(run: Int, token: UInt64)
        case deadline(run: Int, serial: Int)
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
    var serial: Int
    var run: Int

    static func < (lhs: QueueEntry, rhs: QueueEntry) -> Bool {
        lhs.slot != rhs.slot ? lhs.slot < rhs.slot : lhs.serial < rhs.serial
    }

    static func == (lhs: QueueEntry, rhs: QueueEntry) -> Bool { lhs.serial == rhs.serial }
}

/// A job's standing among the jobs that could start a run now: higher priority, then earlier slot, then job id.
struct DispatchKey: Comparable {
    var negatedPriority: Int
    var slot: Int64
    /// The job's rank in id order, so ties break by id without comparing strings.
    var ordinal: Int
    var serial: Int

    static func < (lhs: DispatchKey, rhs: DispatchKey) -> Bool {
        if lhs.negatedPriority != rhs.negatedPriority { return lhs.negatedPriority < rhs.negatedPriority }
        if lhs.slot != rhs.slot { return lhs.slot < rhs.slot }
        if lhs.ordinal != rhs.ordinal { return lhs.ordinal < rhs.ordinal }
        return lhs.serial < rhs.serial
    }
}
