import OrkestronConfig
import OrkestronCore

/// Everything a simulation depends on. The same setup always gives the same report and the same events.
public struct SimulationSetup: Sendable {
    public var configuration: Configuration
    /// The virtual clock's start: the engine starts here, and interval schedules are anchored here.
    public var start: Instant
    public var durationMs: Int64
    /// `--seed`; `nil` keeps `[daemon].seed`, and without that the seed is 0 (a simulation never draws one).
    public var seed: UInt64?
    /// Applied in order of specificity: type overrides first, then job overrides, each in the order given.
    public var failureRates: [FailureRateOverride]

    public init(
        configuration: Configuration, start: Instant, durationMs: Int64, seed: UInt64? = nil,
        failureRates: [FailureRateOverride] = []
    ) {
        self.configuration = configuration
        self.start = start
        self.durationMs = durationMs
        self.seed = seed
        self.failureRates = failureRates
    }

    public var end: Instant { start + durationMs }

    /// The seed the engine gets, and where it came from (printed in the report).
    public var effectiveSeed: (value: UInt64, source: String) {
        if let seed { return (seed, "--seed") }
        if let seed = configuration.daemon.seed { return (seed, "[daemon].seed") }
        return (0, "default: no seed configured")
    }

    /// The jobs as the simulator runs them: a real command becomes a simulated workload with its type's
    /// duration profile (SPEC §8) and no failures, since the loader keeps `duration` and `failure_rate` only for
    /// jobs without a command.
    public var simulatedJobs: [JobDefinition] {
        configuration.jobs.map { job in
            guard case .process = job.workload else { return job }
            var simulated = job
            simulated.workload = .simulated(SimulatedWorkload.profile(forType: job.type))
            return simulated
        }
    }
}
