import OrkestronCore
import OrkestronMetrics

/// What a simulation found: the setup it ran, per job, per type and in total what happened, and findings in
/// plain words. `json` and `text` are two renderings of exactly this data.
public struct SimulationReport: Sendable, Hashable {
    /// Counts and latencies of one job, one type or all jobs.
    public struct Level: Sendable, Hashable {
        /// Slots that came due (SCHEDULED).
        public var slots = 0
        /// Runs that started at least one attempt (scheduled, triggered and catch-up runs alike).
        public var runs = 0
        /// Runs by final status.
        public var successes = 0
        public var failures = 0
        public var timeouts = 0
        public var cancelled = 0
        /// Attempts planned after a failed one (RETRY events).
        public var retries = 0
        /// SKIPPED runs and DEFERRED slots, by reason ("overlap", "quiet hours 'night'", …).
        public var skipped: [OutcomeReason: Int] = [:]
        public var deferred: [OutcomeReason: Int] = [:]
        /// Runs still active when the simulation ended (queued, running, deferred or waiting to retry).
        public var unfinished = 0
        /// Attempt durations, start lateness of first attempts of scheduled runs, queue wait of every attempt.
        public var durationMs = Percentiles()
        public var latenessMs = Percentiles()
        public var queueWaitMs = Percentiles()
        public var peakQueueDepth = 0

        public init() {}

        public var skippedTotal: Int { skipped.values.reduce(0, +) }
        public var deferredTotal: Int { deferred.values.reduce(0, +) }
        /// Runs that ended with a result of their own: the base of failure percentages.
        public var finishedWithResult: Int { successes + failures + timeouts }

        mutating func add(_ other: Level) {
            slots += other.slots
            runs += other.runs
            successes += other.successes
            failures += other.failures
            timeouts += other.timeouts
            cancelled += other.cancelled
            retries += other.retries
            unfinished += other.unfinished
            skipped.merge(other.skipped, uniquingKeysWith: +)
            deferred.merge(other.deferred, uniquingKeysWith: +)
        }
    }

    public struct Job: Sendable, Hashable {
        public var id: String
        public var type: String?
        /// "interval 3s +250ms", "cron 30 3 * * * Europe/Berlin", "manual".
        public var schedule: String
        public var stats: Level
    }

    public struct TypeSummary: Sendable, Hashable {
        public var name: String
        public var jobs: Int
        /// `[types.X].max_concurrency`, when set.
        public var maxConcurrency: Int?
        public var stats: Level
        /// Slot-time its runs kept busy, in milliseconds.
        public var busyMs: Int64
        /// `busyMs / (min(max_concurrency, global) × duration)`; only for types with a limit.
        public var utilization: Double?
    }

    public var configFiles: [String]
    public var seed: UInt64
    /// "--seed", "[daemon].seed" or why a default was used.
    public var seedSource: String
    public var start: Instant
    public var end: Instant
    public var durationMs: Int64
    public var maxConcurrency: Int
    public var failureRates: [FailureRateOverride]
    /// By id.
    public var jobs: [Job]
    /// By name; jobs without a type appear in `total` only.
    public var types: [TypeSummary]
    public var total: Level
    public var busyMs: Int64
    /// `busyMs / (max_concurrency × duration)`.
    public var utilization: Double
    public var findings: [Finding]
    public var eventCount: Int

    public func job(_ id: String) -> Job? { jobs.first { $0.id == id } }
    public func type(_ name: String) -> TypeSummary? { types.first { $0.name == name } }
}
