/// A job as the engine sees it: every policy already resolved against `[defaults]` and the job's type.
///
/// The configuration layer does the resolving (and reports errors with file positions); the engine takes the
/// result as given, so it never has to know where a value came from.
public struct JobDefinition: Sendable, Hashable {
    public var id: String
    /// Groups jobs for concurrency limits, quiet hours filters and metrics; `nil` when the job has none.
    public var type: String?
    public var schedule: Schedule
    /// Higher starts first when slots are contended.
    public var priority: Int
    /// Parallel runs of this job; `nil` means the default: 1, or unbounded with `overlap = "allow"`.
    public var maxConcurrency: Int?
    public var overlap: OverlapPolicy
    public var timeoutMs: Int64?
    public var killGraceMs: Int64
    public var missed: MissedPolicy
    public var catchup: CatchupPolicy?
    /// A scheduled run not started within this many milliseconds after its slot is SKIPPED.
    public var deadlineMs: Int64?
    /// Upper bound of the random delay added to each scheduled slot.
    public var jitterMs: Int64
    public var retry: RetryPolicy
    public var workload: Workload
    /// Initial state only: pause state set at run time is persisted and wins.
    public var pausedInitially: Bool
    public var onSuccess: [String]
    public var onFailure: [String]
    public var pauseAfterFailures: Int?
    public var maxStalenessMs: Int64?

    public init(
        id: String,
        type: String? = nil,
        schedule: Schedule = .manual,
        priority: Int = 0,
        maxConcurrency: Int? = nil,
        overlap: OverlapPolicy = .skip,
        timeoutMs: Int64? = nil,
        killGraceMs: Int64 = 5_000,
        missed: MissedPolicy = .runOnce,
        catchup: CatchupPolicy? = nil,
        deadlineMs: Int64? = nil,
        jitterMs: Int64 = 0,
        retry: RetryPolicy = RetryPolicy(),
        workload: Workload = .simulated(SimulatedWorkload()),
        pausedInitially: Bool = false,
        onSuccess: [String] = [],
        onFailure: [String] = [],
        pauseAfterFailures: Int? = nil,
        maxStalenessMs: Int64? = nil
    ) {
        self.id = id
        self.type = type
        self.schedule = schedule
        self.priority = priority
        self.maxConcurrency = maxConcurrency
        self.overlap = overlap
        self.timeoutMs = timeoutMs
        self.killGraceMs = killGraceMs
        self.missed = missed
        self.catchup = catchup
        self.deadlineMs = deadlineMs
        self.jitterMs = jitterMs
        self.retry = retry
        self.workload = workload
        self.pausedInitially = pausedInitially
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.pauseAfterFailures = pauseAfterFailures
        self.maxStalenessMs = maxStalenessMs
    }

    /// The job's own limit on parallel runs, after applying the overlap-dependent default.
    public var effectiveMaxConcurrency: Int {
        if let maxConcurrency { return maxConcurrency }
        switch overlap {
        case .allow: return Int.max
        case .skip, .queue, .replace: return 1
        }
    }
}

/// When a job's slots fall.
public enum Schedule: Sendable, Hashable {
    /// Manual and triggered runs only.
    case manual
    /// Fixed rate: slots at `anchor + offset + k × every` (k ≥ 1), the anchor being the first activation.
    case interval(everyMs: Int64, offsetMs: Int64)
    /// A cron expression evaluated in an IANA time zone.
    case cron(CronExpression, timeZone: String)
}

/// What happens to a slot that falls while a run of the same job is active.
public enum OverlapPolicy: String, Sendable, Hashable, CaseIterable {
    /// Record the slot SKIPPED when the job already has `max_concurrency` active runs.
    case skip
    /// Queue the new run; it starts when the job has a free slot.
    case queue
    /// Queue the new run; without an explicit `max_concurrency` the job's runs may overlap without limit.
    case allow
    /// Cancel the active runs and queue the new one.
    case replace
}

/// What happens to slots that fell while the daemon was down.
public enum MissedPolicy: String, Sendable, Hashable, CaseIterable {
    case skip
    case runOnce = "run_once"
    case runAll = "run_all"
}

/// Bounds the catch-up of `missed = "run_all"`.
public struct CatchupPolicy: Sendable, Hashable {
    /// At most this many missed slots run; the older ones are SKIPPED.
    public var max: Int
    /// Spacing between the catch-up runs, so a long outage does not end in a stampede.
    public var staggerMs: Int64

    public init(max: Int, staggerMs: Int64) {
        self.max = max
        self.staggerMs = staggerMs
    }
}

/// What an attempt executes.
public enum Workload: Sendable, Hashable {
    case process(ProcessWorkload)
    case simulated(SimulatedWorkload)
}

/// A real process, started by the daemon's supervisor.
public struct ProcessWorkload: Sendable, Hashable {
    /// argv; never passed through a shell unless argv itself names one.
    public var command: [String]
    public var workingDirectory: String?
    public var environment: [String: String]

    public init(command: [String], workingDirectory: String? = nil, environment: [String: String] = [:]) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
    }
}

/// A workload the engine plays itself: it takes a drawn duration and fails with a given probability.
public struct SimulatedWorkload: Sendable, Hashable {
    public var failureRate: Double
    public var minDurationMs: Int64
    public var maxDurationMs: Int64

    public init(failureRate: Double = 0, minDurationMs: Int64 = 100, maxDurationMs: Int64 = 500) {
        self.failureRate = failureRate
        self.minDurationMs = minDurationMs
        self.maxDurationMs = maxDurationMs
    }

    /// The duration profile of a workload type (SPEC §8): sync is network-heavy, batch long-running, and so on.
    public static func profile(forType type: String?, failureRate: Double = 0) -> SimulatedWorkload {
        let range: (Int64, Int64)
        switch type {
        case "sync": range = (300, 900)
        case "cleanup": range = (100, 300)
        case "batch": range = (5_000, 30_000)
        case "metrics": range = (10, 50)
        default: range = (100, 500)
        }
        return SimulatedWorkload(failureRate: failureRate, minDurationMs: range.0, maxDurationMs: range.1)
    }
}
