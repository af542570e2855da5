import OrkestronCore

/// One run as the history shows it (`runs.list`, `jobs.get`, `orkctl history`).
///
/// Sent as a JSON-RPC result as it is: camelCase names, statuses and triggers by their wire names, times as ISO
/// 8601 UTC with milliseconds. Absent values encode as `null` rather than disappearing.
public struct RunRecordRow: Sendable, Hashable, Codable {
    public var runId: String
    public var jobId: String
    /// `schedule`, `manual`, `on_success`, `on_failure` or `catchup`.
    public var trigger: String
    /// The status of the run's latest event; its final status once `final` is true.
    public var status: String
    public var final: Bool
    /// The current (or last) attempt; 0 when the run was never queued.
    public var attempt: Int
    /// The planned instant (jitter included); for a manual run, the request time.
    public var slot: String
    public var createdAt: String
    /// When the first attempt started.
    public var startedAt: String?
    public var finishedAt: String?
    /// Finished minus started of the last attempt (nil when it never started or was interrupted by a restart).
    public var durationMs: Int64?
    public var exitCode: Int32?
    public var signal: Int32?
    /// The latest reason given for the run (failure message, skip or cancel reason); SUCCESS clears it.
    public var reason: String?
    public var triggeredBy: RunTriggerSource?

    public init(
        runId: String, jobId: String, trigger: String, status: String, final: Bool, attempt: Int, slot: String,
        createdAt: String, startedAt: String? = nil, finishedAt: String? = nil, durationMs: Int64? = nil,
        exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil, triggeredBy: RunTriggerSource? = nil
    ) {
        self.runId = runId
        self.jobId = jobId
        self.trigger = trigger
        self.status = status
        self.final = final
        self.attempt = attempt
        self.slot = slot
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.triggeredBy = triggeredBy
    }

    private enum CodingKeys: String, CodingKey {
        case runId, jobId, trigger, status, final, attempt, slot, createdAt, startedAt, finishedAt, durationMs
        case exitCode, signal, reason, triggeredBy
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runId, forKey: .runId)
        try container.encode(jobId, forKey: .jobId)
        try container.encode(trigger, forKey: .trigger)
        try container.encode(status, forKey: .status)
        try container.encode(final, forKey: .final)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(slot, forKey: .slot)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(signal, forKey: .signal)
        try container.encode(reason, forKey: .reason)
        try container.encode(triggeredBy, forKey: .triggeredBy)
    }
}

/// The run whose end started a triggered run.
public struct RunTriggerSource: Sendable, Hashable, Codable {
    public var jobId: String
    public var runId: String
    /// The triggering run's final status (`SUCCESS` for `on_success`, `FAILED` or `TIMEOUT` for `on_failure`).
    public var status: String

    public init(jobId: String, runId: String, status: String) {
        self.jobId = jobId
        self.runId = runId
        self.status = status
    }
}

/// One attempt of a run (the first try or a retry).
public struct AttemptRow: Sendable, Hashable, Codable {
    /// 1-based.
    public var number: Int
    public var queuedAt: String?
    public var startedAt: String?
    public var finishedAt: String?
    /// `QUEUED` or `RUNNING` while open; then how it ended: `SUCCESS`, `FAILED`, `TIMEOUT`, `CANCELLED`,
    /// `INTERRUPTED` or `SKIPPED`.
    public var status: String
    public var exitCode: Int32?
    public var signal: Int32?
    public var durationMs: Int64?
    public var reason: String?

    public init(
        number: Int, queuedAt: String? = nil, startedAt: String? = nil, finishedAt: String? = nil, status: String,
        exitCode: Int32? = nil, signal: Int32? = nil, durationMs: Int64? = nil, reason: String? = nil
    ) {
        self.number = number
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.durationMs = durationMs
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey {
        case number, queuedAt, startedAt, finishedAt, status, exitCode, signal, durationMs, reason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(number, forKey: .number)
        try container.encode(queuedAt, forKey: .queuedAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(status, forKey: .status)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(signal, forKey: .signal)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(reason, forKey: .reason)
    }
}

/// Everything `runs.get` and `orkctl trace` show about one run.
///
/// Not `Codable` because `Event` is not: the protocol layer owns the wire encoding of events.
public struct RunDetail: Sendable, Hashable {
    public var run: RunRecordRow
    /// In attempt order.
    public var attempts: [AttemptRow]
    /// Every transition of the run, in `seq` order.
    public var events: [Event]

    public init(run: RunRecordRow, attempts: [AttemptRow], events: [Event]) {
        self.run = run
        self.attempts = attempts
        self.events = events
    }
}

/// A job definition as the daemon last loaded it.
public struct StoredDefinition: Sendable, Hashable {
    public var jobId: String
    /// A stable hash of the definition, computed by the daemon; a reload compares it to spot changes.
    public var hash: String
    /// The definition as JSON, as the daemon serialised it.
    public var json: String
    /// When the stored hash last changed; set by the store (nil on values not read from it).
    public var updatedAt: Instant?

    public init(jobId: String, hash: String, json: String, updatedAt: Instant? = nil) {
        self.jobId = jobId
        self.hash = hash
        self.json = json
        self.updatedAt = updatedAt
    }
}
