/// What the engine asks its driver to do. The engine itself never performs I/O.
public enum EngineAction: Sendable, Hashable {
    /// Store, log and publish this event.
    case event(Event)
    /// Start a real process for an attempt; report its end with `Engine.processExited`.
    case startProcess(ProcessLaunch)
    /// Stop a running process (SIGTERM to its process group, SIGKILL after `graceMs`); its end is still
    /// reported with `Engine.processExited`, which records TIMEOUT or CANCELLED.
    case terminateProcess(ProcessTermination)
}

/// Everything the supervisor needs to start one attempt of a real process.
public struct ProcessLaunch: Sendable, Hashable {
    public var jobId: String
    public var runId: String
    public var attempt: Int
    public var workload: ProcessWorkload
    /// The run's planned slot, or the request time of a manual run (`ORKESTRON_SCHEDULED_AT`).
    public var scheduledAt: Instant
    public var triggeredBy: TriggerSource?
}

/// A request to end a running process.
public struct ProcessTermination: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        case timeout
        case cancel
    }

    public var jobId: String
    public var runId: String
    public var attempt: Int
    public var graceMs: Int64
    public var reason: Reason
}

/// How a real process ended.
public struct ProcessOutcome: Sendable, Hashable {
    public var exitCode: Int32?
    public var signal: Int32?
    /// Set when the process could not be started at all (e.g. the executable does not exist).
    public var launchError: String?

    public init(exitCode: Int32? = nil, signal: Int32? = nil, launchError: String? = nil) {
        self.exitCode = exitCode
        self.signal = signal
        self.launchError = launchError
    }

    public var succeeded: Bool { launchError == nil && signal == nil && exitCode == 0 }

    var failureReason: String {
        if let launchError { return "could not start: \(launchError)" }
        if let signal { return "killed by signal \(signal)" }
        if let exitCode { return "exit code \(exitCode)" }
        return "ended without an exit status"
    }
}
