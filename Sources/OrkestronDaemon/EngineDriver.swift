import Foundation
import Logging
import OrkestronConfig
import OrkestronCore
import OrkestronMetrics
import OrkestronProtocol
import OrkestronSystemd
import ServiceLifecycle
import Synchronization

/// Runs the engine on the wall clock and carries out its actions.
///
/// The driver is the only owner of the `Engine`. It sleeps until the engine's next wake-up (one timer, no
/// polling), feeds it the control requests, and fans the resulting events out to the store writer, the log,
/// the metrics and the subscribers. Processes are started and stopped through the supervisor.
actor EngineDriver: Service {
    var engine: Engine
    var configuration: Configuration
    let configPath: String
    let writer: StoreWriter
    let supervisor: ProcessSupervisor
    let logger: Logger
    let startedAt: Instant
    /// The clocks, and what they said at the last reading: every engine input takes its instant from
    /// `currentInstant()`, which first tells the engine about a jump of the wall clock or a suspend.
    let clock: any DriverClock
    var clockWatch: ClockWatch
    let startReading: ClockReading
    var metrics: MetricsAggregator
    /// Job id → type, for subscriber filters.
    var jobTypes: [String: String] = [:]
    /// The engine's job ids in order, kept from start and each reload: `engine.jobIds` sorts them on every call,
    /// which cost each `jobs.list` a millisecond of the actor's time with 1,000 jobs.
    var jobIdsInOrder: [String] = []
    var subscribers: [Int: Subscriber] = [:]
    var nextSubscriberID = 1
    var runWaiters: [String: [RunWaiter]] = [:]
    /// For `explain`: the last failed attempt of each active run (why it is backing off), and each job's last
    /// skipped slot (why a slot did not run). Bounded by the active runs and the jobs.
    var lastAttemptFailure: [String: Event] = [:]
    var lastSkip: [String: (slot: Instant, reason: String)] = [:]
    /// The planned slot of each active scheduled run (only its SCHEDULED event carries it).
    var slotOfRun: [String: Instant] = [:]
    var buffer: [EngineAction] = []
    var shutdownDeadline: Instant?
    var shutdownCancelled = false

    let notifier: SystemdNotifier
    let readiness: Readiness
    /// Half of the service manager's watchdog timeout, when it set one; pinged from the timer loop, so an engine
    /// that hangs stops the pings and systemd restarts the daemon.
    let watchdogIntervalMs: Int64?
    var nextWatchdogPing = ContinuousClock.now
    /// The STATUS= line last sent, and when; a changed line is sent at most every `statusIntervalMs`.
    var sentStatus = ""
    var statusSentAt: ContinuousClock.Instant?
    var statusDirty = true
    static let statusIntervalMs: Int64 = 250

    /// The engine's own thread, which also keeps the timer loop's clock (see `EngineExecutor`).
    let executor = EngineExecutor(nice: EngineExecutor.engineNice)
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var loopEnded: CheckedContinuation<Void, Never>?
    /// The instant of the last turn of the loop, from which its sleep is counted.
    private var lastWake = Instant(millisecondsSinceEpoch: 0)
    private let loopCancelled = Mutex(false)

    /// Upper bound of one sleep, so a jump of the wall clock is noticed within this time even when idle.
    static let maximumSleepMs: Int64 = 60_000

    init(
        configuration: Configuration, configPath: String, restore: EngineRestore, writer: StoreWriter,
        supervisor: ProcessSupervisor, notifier: SystemdNotifier, readiness: Readiness, logger: Logger,
        clock: any DriverClock = SystemClock()
    ) {
        let reading = clock.read()
        let now = reading.wall
        self.clock = clock
        self.clockWatch = ClockWatch(first: reading)
        self.startReading = reading
        var startup: [EngineAction] = []
        self.engine = Engine(
            jobs: configuration.jobs, settings: configuration.engineSettings, now: now, restore: restore,
            into: &startup)
        self.buffer = startup
        self.configuration = configuration
        self.configPath = configPath
        self.writer = writer
        self.supervisor = supervisor
        self.logger = logger
        self.startedAt = now
        self.notifier = notifier
        self.readiness = readiness
        self.watchdogIntervalMs = SystemdNotifier.watchdogPingIntervalMs()
        self.metrics = MetricsAggregator(jobTypes: Dictionary(uniqueKeysWithValues: configuration.jobs.map { ($0.id, $0.type) }))
        for job in configuration.jobs { jobTypes[job.id] = job.type }
        jobIdsInOrder = engine.jobIds
    }

    // MARK: - The loop

    func run() async throws {
        supervisor.onExit { [weak self] launch, outcome in
            await self?.processExited(launch, outcome)
        }
        apply()
        logger.info(
            "engine started",
            metadata: [
                "jobs": "\(engine.jobCount)", "slots": "\(configuration.engineSettings.maxConcurrency)",
                "watchdog_ping_ms": "\(watchdogIntervalMs.map(String.init) ?? "off")",
                "engine_nice": "\(engineNiceDescription)",
            ])
        readiness.engineRunning()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await gracefulShutdown()
                    await self.beginShutdown()
                } catch {}  // cancelled: the loop has ended or the service group is tearing down
            }
            await self.runTimerLoop()
            group.cancelAll()
        }
        apply()
        logger.info("engine stopped")
    }

    /// Runs the timer loop until `wake()` says it is done or the task is cancelled. Each turn runs on the engine's
    /// thread when the executor's timer fires, not as a task woken from a sleep (see `EngineExecutor` for why).
    private func runTimerLoop() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                loopEnded = continuation
                executor.setTimerAction { [weak self] in
                    self?.assumeIsolated { $0.timerTurn() }
                }
                executor.arm(afterNanoseconds: 0)
            }
        } onCancel: {
            loopCancelled.withLock { $0 = true }
            executor.fire()
        }
    }

    /// One turn of the timer loop, then the timer armed for the next one, or the loop ended.
    private func timerTurn() {
        guard !loopCancelled.withLock({ $0 }), let delay = wake() else {
            loopEnded?.resume()
            loopEnded = nil
            return
        }
        // To the nanosecond from now, so the loop wakes as the slot's millisecond begins (a whole number of
        // milliseconds from a reading up to 1 ms old woke it up to 1 ms late; SPEC §4: precise to the millisecond).
        executor.arm(afterNanoseconds: clock.nanoseconds(until: lastWake + delay))
    }

    /// One turn of the loop: hands the engine the current time (after any clock jump or suspend), carries out
    /// what it did, handles the shutdown deadline, and returns how long to sleep, or nil when the loop is done.
    func wake() -> Int64? {
        let now = currentInstant()
        lastWake = now
        engine.advance(to: now, into: &buffer)
        apply(nudge: false)
        if let deadline = shutdownDeadline {
            if engine.runningCount == 0 { return nil }
            if now >= deadline && !shutdownCancelled { cancelRunningForShutdown() }
            if shutdownCancelled && now >= deadline + maximumKillGrace + 1_000 { return nil }
        }
        var wake = engine.nextWakeup ?? (now + Self.maximumSleepMs)
        if let deadline = shutdownDeadline, !shutdownCancelled { wake = min(wake, deadline) }
        let delay = min(max(wake.milliseconds(since: now), 0), Self.maximumSleepMs)
        return min(delay, reportToServiceManager())
    }

    /// The wall-clock time for an engine input. When the clocks show that the wall clock was set or the machine
    /// slept since the last reading, the engine hears of it first, so it re-plans before anything happens at
    /// the new time (a request arriving first must not run a day of slots as if the day had passed).
    func currentInstant() -> Instant {
        let reading = clock.read()
        let change = clockWatch.observe(reading)
        guard !change.isEmpty else { return reading.wall }
        let shift = change.wallShiftMs ?? 0
        if let slept = change.suspendedMs {
            logger.warning(
                "the machine was suspended; slots that fell meanwhile follow their missed policy",
                metadata: ["suspended_ms": "\(slept)"])
            engine.resumed(at: reading.wall - shift, into: &buffer)
        }
        if change.wallShiftMs != nil {
            logger.warning("wall clock jumped; re-planning schedules", metadata: ["jump_ms": "\(shift)"])
            engine.clockJumped(by: shift, to: reading.wall, into: &buffer)
            if let deadline = shutdownDeadline { shutdownDeadline = deadline + shift }
        }
        return reading.wall
    }

    private var maximumKillGrace: Int64 {
        configuration.jobs.map(\.killGraceMs).max() ?? 0
    }

    /// The engine thread's nice value, for the start-up log: the one asked for, or why it was refused.
    private var engineNiceDescription: String {
        let asked = EngineExecutor.engineNice
        switch executor.niceOutcome {
        case nil: return "unchanged"
        case 0: return "\(asked)"
        case let error?:
            return "unchanged (\(String(cString: strerror(error))); LimitNICE=\(asked) or CAP_SYS_NICE allows \(asked))"
        }
    }

    // MARK: - Service manager

    /// Pings the watchdog and sends a changed STATUS= line when they are due; returns how long the loop may
    /// sleep before one of them is due again (no wake-ups at all when neither is in use).
    private func reportToServiceManager() -> Int64 {
        let now = ContinuousClock.now
        var next = Self.maximumSleepMs
        if let interval = watchdogIntervalMs {
            if now >= nextWatchdogPing {
                notifier.watchdog()
                nextWatchdogPing = now + .milliseconds(interval)
            }
            next = min(next, (nextWatchdogPing - now).milliseconds)
        }
        if statusDirty && notifier.isListening {
            let dueAt = statusSentAt.map { $0 + .milliseconds(Self.statusIntervalMs) } ?? now
            if now >= dueAt {
                statusDirty = false
                let line = statusLine()
                if line != sentStatus {
                    notifier.status(line)
                    sentStatus = line
                    statusSentAt = now
                }
            } else {
                next = min(next, (dueAt - now).milliseconds)
            }
        }
        return max(next, 0)
    }

    /// `12 jobs, 2 running, 1 queued, 0 failed in 15m` (and the paused count when there is one).
    func statusLine() -> String {
        var line = "\(engine.jobCount) jobs, \(engine.runningCount) running, \(engine.queuedCount) queued, "
            + "\(metrics.failuresInLast15Minutes(at: clock.read().wall)) failed in 15m"
        let paused = engine.pausedCount
        if paused > 0 { line += ", \(paused) paused" }
        if shutdownDeadline != nil { line = "stopping: " + line }
        return line
    }

    /// An input changed what is due: the timer loop turns as soon as the current job ends.
    func nudge() {
        executor.fire()
    }

    // MARK: - Shutdown

    private func beginShutdown() {
        guard shutdownDeadline == nil else { return }
        let now = currentInstant()
        shutdownDeadline = now + configuration.daemon.shutdownGraceMs
        engine.setDraining(true, at: now, into: &buffer)
        notifier.stopping()
        logger.info(
            "shutting down: no new runs start",
            metadata: ["running": "\(engine.runningCount)", "grace_ms": "\(configuration.daemon.shutdownGraceMs)"])
        apply()
        nudge()  // the loop may be asleep with nothing due: let it see the deadline
    }

    private func cancelRunningForShutdown() {
        shutdownCancelled = true
        let now = currentInstant()
        for inspection in engine.inspectAll() {
            for run in inspection.activeRuns {
                if case .running = run.phase {
                    try? engine.cancel(runId: run.runId, reason: "shutdown", at: now, into: &buffer)
                }
            }
        }
        apply(nudge: false)
    }

    // MARK: - Actions

    /// Carries out the actions the engine produced since the last call.
    func apply(nudge shouldNudge: Bool = true) {
        guard !buffer.isEmpty else {
            writer.enqueue(events: [], states: engine.takeDirtyJobStates())
            return
        }
        var events: [Event] = []
        var requests: [ProcessSupervisor.Request] = []
        for action in buffer {
            switch action {
            case .event(let event):
                events.append(event)
                record(event)
            case .startProcess(let launch):
                requests.append(.launch(launch))
            case .terminateProcess(let termination):
                requests.append(.terminate(termination))
            }
        }
        buffer.removeAll(keepingCapacity: true)
        // The events go to the writer before the supervisor sees a launch: it waits for them to be durable
        // (the run's RUNNING among them) before it starts the process.
        writer.enqueue(events: events, states: engine.takeDirtyJobStates())
        for request in requests { supervisor.submit(request) }
        statusDirty = true
        if shouldNudge { nudge() }
    }

    private func record(_ event: Event) {
        // Not logged here: the store writer logs each event once it is committed, off the engine's actor (a log
        // line per transition is the largest part of an event's cost, and the actor's time is the engine's).
        metrics.record(event)
        let type = jobTypes[event.jobId]
        var line: EventLine?
        for subscriber in subscribers.values where subscriber.filter.matches(event, type: type) {
            let shared = line ?? EventLine(event)
            line = shared
            subscriber.deliver(shared)
        }
        if let runId = event.runId {
            if event.status == .scheduled, let slot = event.slot { slotOfRun[runId] = slot }
            if event.endsRun {
                lastAttemptFailure[runId] = nil
                let slot = slotOfRun.removeValue(forKey: runId)
                if event.status == .skipped, let slot {
                    lastSkip[event.jobId] = (slot, event.reason ?? "skipped")
                }
                if let waiters = runWaiters.removeValue(forKey: runId) {
                    for waiter in waiters { waiter.finish(event.status) }
                }
            } else if [.failed, .timeout, .interrupted].contains(event.status) {
                lastAttemptFailure[runId] = event
            }
        }
    }

    private func processExited(_ launch: ProcessLaunch, _ outcome: ProcessOutcome) {
        engine.processExited(
            runId: launch.runId, attempt: launch.attempt, outcome: outcome, at: currentInstant(), into: &buffer)
        apply()
    }

    // MARK: - Subscribers

    /// Registers a subscriber; returns its id, its queue, and the sequence number of the first event it
    /// will receive live (older ones come from the store for `replay`).
    func subscribe(_ filter: EventFilter) -> (id: Int, queue: SubscriberQueue, firstLiveSeq: UInt64) {
        let queue = SubscriberQueue()
        let id = nextSubscriberID
        nextSubscriberID += 1
        subscribers[id] = Subscriber(filter: filter, queue: queue)
        return (id, queue, engine.nextSeq)
    }

    func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)?.queue.finish()
    }

}
