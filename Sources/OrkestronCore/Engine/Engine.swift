/// The deterministic heart of Orkestron: job schedules, policies and the run state machine.
///
/// The engine is a value that is fed inputs, each at an `Instant` the caller supplies, and answers with
/// `EngineAction`s: events to record and processes to start or stop. It reads no clock, does no I/O and draws
/// randomness only from per-job seeded generators, so the same definitions, seed and inputs always produce
/// the same event sequence. The daemon drives it on the wall clock, the simulator on a virtual clock and the
/// tests on a manual one.
///
/// Time only moves forward through `advance(to:into:)`; every other input first advances to its instant, so
/// timers due before an input are handled before it. Timers due at the same instant are all handled before
/// any run is dispatched, so priority decides between runs that become ready together.
///
/// ```swift
/// var engine = Engine(jobs: [JobDefinition(id: "sync", schedule: .interval(everyMs: 3000, offsetMs: 0))],
///                     settings: EngineSettings(seed: 42), now: start)
/// var actions: [EngineAction] = []
/// while let wake = engine.nextWakeup, wake <= end { engine.advance(to: wake, into: &actions) }
/// ```
public struct Engine: Sendable {
    public internal(set) var settings: EngineSettings
    var jobs: [JobRuntime] = []
    var jobIndex: [String: Int] = [:]
    var types: [TypeRuntime] = []
    var typeIndex: [String: Int] = [:]
    /// Types that can start a run now, keyed by their best job's key.
    var readyTypes = IndexedHeap<DispatchKey>()
    var runs = RunTable()
    var timers = BinaryHeap<EngineTimer>()
    var timerOrder: UInt64 = 0
    var runSerial = 0
    var tokenCounter: UInt64 = 0
    public internal(set) var nextSeq: UInt64
    public internal(set) var now: Instant
    public internal(set) var runningCount = 0
    /// Set during shutdown: no new attempt starts.
    public internal(set) var isDraining = false
    /// Jobs whose persistent state changed since `takeDirtyJobStates`.
    var dirtyJobs: [Int] = []
    var zones: [String: ZoneRules] = [:]

    /// Creates an engine for `jobs` at `now`, resuming from `restore` when the daemon has state.
    ///
    /// Actions that the restore produces (missed slots, interrupted runs) are available from the first call
    /// that takes an `into:` buffer; pass one here to collect them at once.
    public init(
        jobs definitions: [JobDefinition], settings: EngineSettings, now: Instant,
        restore: EngineRestore = EngineRestore(), into out: inout [EngineAction]
    ) {
        self.settings = settings
        self.now = now
        self.nextSeq = max(restore.nextSeq, 1)
        types.append(TypeRuntime(name: nil, limit: Int.max))
        for (name, limit) in settings.typeConcurrency.sorted(by: { $0.key < $1.key }) {
            typeIndex[name] = types.count
            types.append(TypeRuntime(name: name, limit: max(limit, 0)))
        }
        let ordered = definitions.sorted { $0.id < $1.id }
        for definition in ordered {
            addJob(definition, restoring: restore.jobs[definition.id], at: now, into: &out)
        }
        for run in restore.activeRuns {
            restoreRun(run, into: &out)
        }
        dispatch(into: &out)
    }

    /// Creates an engine with no state to restore, discarding the (empty) start-up actions.
    public init(jobs: [JobDefinition], settings: EngineSettings, now: Instant) {
        var ignored: [EngineAction] = []
        self.init(jobs: jobs, settings: settings, now: now, into: &ignored)
    }

    // MARK: - Inputs

    /// The earliest instant at which the engine has something to do, or nil when idle.
    public var nextWakeup: Instant? {
        timers.min.map { Instant(millisecondsSinceEpoch: $0.due) }
    }

    /// Handles every timer due at or before `instant`, in order, and starts what can start.
    public mutating func advance(to instant: Instant, into out: inout [EngineAction]) {
        if instant > now { now = instant }
        while let first = timers.min, first.due <= now.millisecondsSinceEpoch {
            let due = first.due
            while let timer = timers.min, timer.due == due {
                timers.popMin()
                fire(timer, into: &out)
            }
            dispatch(into: &out)
        }
    }

    /// Queues a manual run ("Run Now"). It bypasses quiet hours and pause, not concurrency limits.
    @discardableResult
    public mutating func runNow(
        _ jobId: String, at instant: Instant, into out: inout [EngineAction]
    ) throws(EngineError) -> String {
        advance(to: instant, into: &out)
        guard let job = jobIndex[jobId], !jobs[job].removed else { throw .unknownJob(jobId) }
        let key = createRun(job: job, trigger: .manual, slot: now, phase: .queued)
        let id = runs[key]!.id
        enqueueNewRun(key, into: &out)
        dispatch(into: &out)
        return id
    }

    /// Pauses jobs: no scheduled or triggered run starts until they are resumed. Returns the jobs whose state
    /// changed (pausing a paused job is not an error).
    @discardableResult
    public mutating func pause(
        _ jobIds: [String], by who: String, reason: String? = nil, at instant: Instant,
        into out: inout [EngineAction]
    ) throws(EngineError) -> [String] {
        advance(to: instant, into: &out)
        let indices = try resolve(jobIds)
        var changed: [String] = []
        for job in indices where !jobs[job].paused {
            setPaused(job, by: who, reason: reason, into: &out)
            changed.append(jobs[job].definition.id)
        }
        dispatch(into: &out)
        return changed
    }

    /// Resumes jobs; their held runs go back to the queue. Returns the jobs whose state changed.
    @discardableResult
    public mutating func resume(
        _ jobIds: [String], by who: String, at instant: Instant, into out: inout [EngineAction]
    ) throws(EngineError) -> [String] {
        advance(to: instant, into: &out)
        let indices = try resolve(jobIds)
        var changed: [String] = []
        for job in indices where jobs[job].paused {
            jobs[job].paused = false
            jobs[job].pausedBy = nil
            jobs[job].pausedAt = nil
            jobs[job].pauseReason = nil
            markDirty(job)
            emit(job: job, run: nil, status: .resumed, by: who, into: &out)
            let held = jobs[job].held
            jobs[job].held = []
            for key in held {
                runs[key]?.phase = .queued
                jobs[job].queue.insert(runs[key]!.queueEntry)
            }
            refresh(job: job)
            changed.append(jobs[job].definition.id)
        }
        dispatch(into: &out)
        return changed
    }

    /// Cancels one active run. Cancelling a run that is not active is an error.
    public mutating func cancel(
        runId: String, reason: String = "cancelled", at instant: Instant, into out: inout [EngineAction]
    ) throws(EngineError) {
        advance(to: instant, into: &out)
        guard let key = activeRun(id: runId) else { throw .runNotActive(runId) }
        cancelRun(key, reason: reason, into: &out)
        dispatch(into: &out)
    }

    /// Cancels every active run of a job; returns their ids.
    @discardableResult
    public mutating func cancel(
        jobId: String, reason: String = "cancelled", at instant: Instant, into out: inout [EngineAction]
    ) throws(EngineError) -> [String] {
        advance(to: instant, into: &out)
        guard let job = jobIndex[jobId] else { throw .unknownJob(jobId) }
        let keys = jobs[job].active
        var cancelled: [String] = []
        for key in keys {
            guard let run = runs[key] else { continue }
            if case .stopping = run.phase { continue }
            cancelled.append(run.id)
            cancelRun(key, reason: reason, into: &out)
        }
        dispatch(into: &out)
        return cancelled
    }

    /// Reports the end of a real process started by `.startProcess`.
    public mutating func processExited(
        runId: String, attempt: Int, outcome: ProcessOutcome, at instant: Instant, into out: inout [EngineAction]
    ) {
        advance(to: instant, into: &out)
        guard let key = activeRun(id: runId), let run = runs[key], run.attempt == attempt else { return }
        switch run.phase {
        case .running:
            endAttempt(key, outcome.succeeded ? .success : .failed(outcome.failureReason), process: outcome,
                into: &out)
        case .stopping(.timeout):
            endAttempt(key, .timeout, process: outcome, into: &out)
        case .stopping(.cancel):
            endAttempt(key, .cancelled(run.cancelReason ?? "cancelled"), process: outcome, into: &out)
        case .queued, .held, .retryWait, .deferred:
            return
        }
        dispatch(into: &out)
    }

    /// Overrides the failure rate of the given jobs until `forMs` passes, or clears it with `rate: nil`.
    @discardableResult
    public mutating func setChaos(
        jobIds: [String], rate: Double?, forMs: Int64?, by who: String, at instant: Instant,
        into out: inout [EngineAction]
    ) throws(EngineError) -> [String] {
        advance(to: instant, into: &out)
        let indices = try resolve(jobIds)
        for job in indices {
            jobs[job].chaosRate = rate.map { min(max($0, 0), 1) }
            jobs[job].chaosGeneration &+= 1
            let reason: String
            if let rate {
                reason = "failure rate \(rate)" + (forMs.map { " for \($0) ms" } ?? "")
                if let forMs {
                    schedule(.chaosEnd(job: job, generation: jobs[job].chaosGeneration), at: now + forMs)
                }
            } else {
                reason = "failure injection cleared"
            }
            emit(job: job, run: nil, status: .chaos, reason: reason, by: who, into: &out)
        }
        return indices.map { jobs[$0].definition.id }
    }

    /// Stops or resumes starting attempts (shutdown). Queued runs stay queued.
    public mutating func setDraining(_ draining: Bool, at instant: Instant, into out: inout [EngineAction]) {
        advance(to: instant, into: &out)
        isDraining = draining
        if !draining { dispatch(into: &out) }
    }

    /// Per-job state the daemon should persist since the last call.
    public mutating func takeDirtyJobStates() -> [JobPersistentState] {
        var states: [JobPersistentState] = []
        for job in dirtyJobs.sorted() {
            jobs[job].isDirty = false
            states.append(jobs[job].persistentState)
        }
        dirtyJobs.removeAll(keepingCapacity: true)
        return states
    }

    // MARK: - Helpers shared by the extensions

    func resolve(_ ids: [String]) throws(EngineError) -> [Int] {
        var result: [Int] = []
        for id in ids {
            guard let index = jobIndex[id], !jobs[index].removed else { throw .unknownJob(id) }
            result.append(index)
        }
        return result
    }

    mutating func schedule(_ kind: EngineTimer.Kind, at instant: Instant) {
        timerOrder &+= 1
        timers.insert(EngineTimer(due: instant.millisecondsSinceEpoch, order: timerOrder, kind: kind))
    }

    func runID(job: Int, counter: Int) -> String {
        let digits = String(counter)
        let padded = digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
        return jobs[job].definition.id + "-" + padded
    }

    mutating func emit(
        job: Int, run: Int?, status: EventStatus, attempt: Int? = nil, durationMs: Int64? = nil,
        nextRetryIn: Int64? = nil, reason: String? = nil, trigger: Trigger? = nil, slot: Instant? = nil,
        exitCode: Int32? = nil, signal: Int32? = nil, latenessMs: Int64? = nil, queueWaitMs: Int64? = nil,
        by: String? = nil, triggeredBy: TriggerSource? = nil, into out: inout [EngineAction]
    ) {
        var runId: String?
        if let run { runId = runs[run]?.id }
        let event = Event(
            seq: nextSeq, time: now, jobId: jobs[job].definition.id, runId: runId,
            status: status, attempt: attempt, durationMs: durationMs, nextRetryIn: nextRetryIn, reason: reason,
            trigger: trigger, slot: slot, exitCode: exitCode, signal: signal, latenessMs: latenessMs,
            queueWaitMs: queueWaitMs, by: by, triggeredBy: triggeredBy)
        nextSeq &+= 1
        out.append(.event(event))
    }

    /// A fresh timer token: never reused, so a timer of a forgotten run cannot match a new one.
    mutating func issueToken() -> UInt64 {
        tokenCounter &+= 1
        return tokenCounter
    }

    mutating func markDirty(_ job: Int) {
        guard !jobs[job].isDirty else { return }
        jobs[job].isDirty = true
        dirtyJobs.append(job)
    }

    /// The key of an active run, found through its job: run ids are `<job>-<counter>`.
    func activeRun(id: String) -> Int? {
        guard let dash = id.lastIndex(of: "-"), let job = jobIndex[String(id[..<dash])] else { return nil }
        return jobs[job].active.first { runs[$0]?.id == id }
    }

    mutating func zone(_ identifier: String) -> ZoneRules {
        if let zone = zones[identifier] { return zone }
        let zone = ZoneRules.named(identifier) ?? .utc
        zones[identifier] = zone
        return zone
    }
}
