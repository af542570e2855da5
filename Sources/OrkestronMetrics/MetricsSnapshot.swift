import OrkestronCore

/// The metrics at one instant, per job, per type and in total: the result of `metrics.get` (SPEC §5).
///
/// A filtered snapshot (`MetricsAggregator.snapshot(at:job:type:)`) lists only the matching jobs and their types;
/// `total` always covers every job, so a client can set one job against the whole.
public struct MetricsSnapshot: Sendable, Hashable, Codable {
    /// The instant the sliding windows and "now" values (queue depth, running) refer to.
    public var at: Instant
    public var total: MetricsSummary
    /// Keyed by type; jobs without a type count in `total` only.
    public var types: [String: MetricsSummary]
    /// Keyed by job id.
    public var jobs: [String: MetricsSummary]

    public init(
        at: Instant, total: MetricsSummary = MetricsSummary(), types: [String: MetricsSummary] = [:],
        jobs: [String: MetricsSummary] = [:]
    ) {
        self.at = at
        self.total = total
        self.types = types
        self.jobs = jobs
    }

    private enum CodingKeys: String, CodingKey {
        // `Instant` is not `Codable`; milliseconds since the epoch keep the wire free of any date format.
        case atMs, total, types, jobs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        at = Instant(millisecondsSinceEpoch: try container.decode(Int64.self, forKey: .atMs))
        total = try container.decode(MetricsSummary.self, forKey: .total)
        types = try container.decode([String: MetricsSummary].self, forKey: .types)
        jobs = try container.decode([String: MetricsSummary].self, forKey: .jobs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(at.millisecondsSinceEpoch, forKey: .atMs)
        try container.encode(total, forKey: .total)
        try container.encode(types, forKey: .types)
        try container.encode(jobs, forKey: .jobs)
    }
}

/// What is known about one job, one type or all jobs together.
public struct MetricsSummary: Sendable, Hashable, Codable {
    /// On a job's summary: its type, if it has one. Absent on type and total summaries.
    public var type: String?
    /// Finished runs by final status, plus DEFERRED and RETRY event counts.
    public var runs: RunCounts
    /// (failed + timeout) / (success + failed + timeout) over finished runs; 0 when there are none.
    public var failureRate: Double
    /// Durations of attempts that ran (SUCCESS, FAILED, TIMEOUT, or CANCELLED while running).
    public var durationMs: Percentiles
    /// Start minus planned slot, on the first attempt of scheduled runs.
    public var latenessMs: Percentiles
    /// Start minus the time the attempt was queued.
    public var queueWaitMs: Percentiles
    /// Finished runs per minute over the windows ending at the snapshot's instant.
    public var throughputPerMinute: Throughput
    /// Finished runs by the number of attempts they started.
    public var retryDistribution: RetryDistribution
    /// Runs waiting in a queue now.
    public var queueDepth: Int
    /// The largest `queueDepth` seen since the aggregator started.
    public var queueDepthPeak: Int
    /// Attempts running now.
    public var running: Int
    /// On a job's summary: its last attempt durations, oldest first (at most 32). Absent on type and total
    /// summaries.
    public var lastDurationsMs: [AttemptSample]?
    /// On a job's summary: whether it has gone `max_staleness` without a success. Absent on type and total
    /// summaries.
    public var stale: Bool?

    public init(
        type: String? = nil, runs: RunCounts = RunCounts(), failureRate: Double = 0,
        durationMs: Percentiles = Percentiles(), latenessMs: Percentiles = Percentiles(),
        queueWaitMs: Percentiles = Percentiles(), throughputPerMinute: Throughput = Throughput(),
        retryDistribution: RetryDistribution = RetryDistribution(), queueDepth: Int = 0, queueDepthPeak: Int = 0,
        running: Int = 0, lastDurationsMs: [AttemptSample]? = nil, stale: Bool? = nil
    ) {
        self.type = type
        self.runs = runs
        self.failureRate = failureRate
        self.durationMs = durationMs
        self.latenessMs = latenessMs
        self.queueWaitMs = queueWaitMs
        self.throughputPerMinute = throughputPerMinute
        self.retryDistribution = retryDistribution
        self.queueDepth = queueDepth
        self.queueDepthPeak = queueDepthPeak
        self.running = running
        self.lastDurationsMs = lastDurationsMs
        self.stale = stale
    }
}

/// Finished runs by final status (SPEC §8: counts per final status), and two event counts.
public struct RunCounts: Sendable, Hashable, Codable {
    /// Finished runs: the sum of the five final statuses.
    public var total: Int
    public var success: Int
    public var failed: Int
    public var timeout: Int
    public var cancelled: Int
    public var skipped: Int
    /// DEFERRED events (a deferred run is counted again under its final status when it ends).
    public var deferred: Int
    /// RETRY events: attempts beyond the first that were planned.
    public var retries: Int

    public init(
        total: Int = 0, success: Int = 0, failed: Int = 0, timeout: Int = 0, cancelled: Int = 0, skipped: Int = 0,
        deferred: Int = 0, retries: Int = 0
    ) {
        self.total = total
        self.success = success
        self.failed = failed
        self.timeout = timeout
        self.cancelled = cancelled
        self.skipped = skipped
        self.deferred = deferred
        self.retries = retries
    }
}

/// Percentiles of a latency (attempt duration, start lateness, queue wait), in milliseconds; all 0 when `count`
/// is 0.
public struct Percentiles: Sendable, Hashable, Codable {
    public var count: Int
    public var p50: Int64
    public var p90: Int64
    public var p99: Int64
    public var max: Int64

    public init(count: Int = 0, p50: Int64 = 0, p90: Int64 = 0, p99: Int64 = 0, max: Int64 = 0) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }
}

/// Finished runs per minute, averaged over the last 1, 5 and 15 minutes (like a load average, but exact).
public struct Throughput: Sendable, Hashable, Codable {
    public var last1m: Double
    public var last5m: Double
    public var last15m: Double

    public init(last1m: Double = 0, last5m: Double = 0, last15m: Double = 0) {
        self.last1m = last1m
        self.last5m = last5m
        self.last15m = last15m
    }
}

/// Finished runs by how many attempts they started: `[1: 40, 2: 3, 3: 1]` means 40 runs succeeded or ended on
/// their first attempt, 3 needed a second one, 1 a third.
///
/// Encoded as a JSON object whose keys are the attempt counts as strings (`{"1": 40, "2": 3}`), which is what a
/// JSON client expects of a map; `JSONEncoder` would write an `[Int: Int]` as a flat array.
public struct RetryDistribution: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    /// Attempt count → finished runs; counts of zero are absent.
    public var runsByAttempts: [Int: Int]

    public init(runsByAttempts: [Int: Int] = [:]) {
        self.runsByAttempts = runsByAttempts
    }

    public init(dictionaryLiteral elements: (Int, Int)...) {
        self.init(runsByAttempts: Dictionary(elements, uniquingKeysWith: +))
    }

    /// The number of finished runs that started `attempts` attempts (0 when none).
    public subscript(attempts: Int) -> Int {
        runsByAttempts[attempts] ?? 0
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let encoded = try container.decode([String: Int].self)
        var runsByAttempts: [Int: Int] = [:]
        for (key, count) in encoded {
            guard let attempts = Int(key) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "retryDistribution key \"\(key)\" is not an attempt count")
            }
            runsByAttempts[attempts] = count
        }
        self.runsByAttempts = runsByAttempts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var encoded: [String: Int] = [:]
        for (attempts, count) in runsByAttempts {
            encoded[String(attempts)] = count
        }
        try container.encode(encoded)
    }
}

/// One attempt's duration and how the attempt ended, for a job's sparkline.
public struct AttemptSample: Sendable, Hashable, Codable {
    public var durationMs: Int64
    /// SUCCESS, FAILED, TIMEOUT or CANCELLED.
    public var status: EventStatus

    public init(durationMs: Int64, status: EventStatus) {
        self.durationMs = durationMs
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case durationMs, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        durationMs = try container.decode(Int64.self, forKey: .durationMs)
        let name = try container.decode(String.self, forKey: .status)
        guard let status = EventStatus(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .status, in: container, debugDescription: "unknown status \"\(name)\"")
        }
        self.status = status
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(durationMs, forKey: .durationMs)
        // `EventStatus` is not `Codable`; its raw value is its wire name.
        try container.encode(status.rawValue, forKey: .status)
    }
}
