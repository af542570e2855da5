import OrkestronCore
import OrkestronProtocol

/// What `orkctl top` shows, built from the `daemon.status`, `jobs.list` and `metrics.get` snapshots and kept up to
/// date by applying the event stream. Pure: no clock, no I/O.
public struct DashboardState: Sendable, Equatable {
    /// One recent run's duration and final status, for the sparkline.
    public struct Sample: Sendable, Equatable {
        public var durationMs: Int64
        public var status: EventStatus
        public init(durationMs: Int64, status: EventStatus) {
            self.durationMs = durationMs
            self.status = status
        }
    }

    public struct Job: Sendable, Equatable {
        public var id: String
        public var type: String
        public var state: String
        public var paused: Bool
        public var lastStatus: String?
        public var lastFinishedAt: Instant?
        public var nextRun: Instant?
        /// From the `metrics.get` snapshot (the daemon's histogram of every run) until the stream has brought
        /// `liveQuantileMinimum` durations; from then on, over the last `durationWindow` durations seen live, so
        /// the columns follow the job without polling.
        public var p50Ms: Int64?
        public var p99Ms: Int64?
        /// Durations seen on the stream, oldest first, at most `DashboardState.durationWindow`.
        public var liveDurations: [Int64] = []
        /// Whether the snapshot had percentiles; a job that had none shows the live ones from its first run.
        public let hasSnapshotPercentiles: Bool
        /// Finished runs and failed ones among them (final statuses), seeded from `metrics.get`.
        public var finished: Int64
        public var failed: Int64
        /// The last `DashboardState.sampleCapacity` durations, oldest first.
        public var samples: [Sample]

        public init(
            id: String, type: String, state: String, paused: Bool = false, lastStatus: String? = nil,
            lastFinishedAt: Instant? = nil, nextRun: Instant? = nil, p50Ms: Int64? = nil, p99Ms: Int64? = nil,
            finished: Int64 = 0, failed: Int64 = 0, samples: [Sample] = []
        ) {
            self.id = id
            self.type = type
            self.state = state
            self.paused = paused
            self.lastStatus = lastStatus
            self.lastFinishedAt = lastFinishedAt
            self.nextRun = nextRun
            self.p50Ms = p50Ms
            self.p99Ms = p99Ms
            self.hasSnapshotPercentiles = p50Ms != nil
            self.finished = finished
            self.failed = failed
            self.samples = samples
        }

        public var failureRate: Double? { finished > 0 ? Double(failed) / Double(finished) : nil }
    }

    /// One line of the event tail.
    public struct TailEntry: Sendable, Equatable {
        public var time: Instant
        public var jobId: String
        public var status: EventStatus
        public var detail: String
        public init(time: Instant, jobId: String, status: EventStatus, detail: String) {
            self.time = time
            self.jobId = jobId
            self.status = status
            self.detail = detail
        }
    }

    public static let sampleCapacity = 20
    public static let durationWindow = 256
    public static let liveQuantileMinimum = 20
    public static let tailCapacity = 50
    static let failureWindowMs: Int64 = 15 * 60_000

    public var version: String
    public var startedAt: Instant?
    public var slots: Int
    public var running: Int
    public var queued: Int
    /// Throughput per minute and failure rate (0–1, 15 min) as the last `metrics.get` reported them; replaced by
    /// figures computed from the stream once it has been watched long enough.
    public var snapshotThroughputPerMinute: Double?
    public var snapshotFailureRate: Double?
    /// When the stream started being applied, and the final events seen since: (time, failed).
    public var observingSince: Instant?
    public var finishes: [(time: Instant, failed: Bool)]
    public var jobs: [Job]
    public var tail: [TailEntry]
    public var droppedEvents: Int64
    /// The last known status of each active run, to keep the running/queued counts honest.
    var activeRuns: [String: EventStatus]

    public init(
        version: String = "", startedAt: Instant? = nil, slots: Int = 0, running: Int = 0, queued: Int = 0,
        snapshotThroughputPerMinute: Double? = nil, snapshotFailureRate: Double? = nil, jobs: [Job] = []
    ) {
        self.version = version
        self.startedAt = startedAt
        self.slots = slots
        self.running = running
        self.queued = queued
        self.snapshotThroughputPerMinute = snapshotThroughputPerMinute
        self.snapshotFailureRate = snapshotFailureRate
        self.observingSince = nil
        self.finishes = []
        self.jobs = jobs
        self.tail = []
        self.droppedEvents = 0
        self.activeRuns = [:]
    }

    public static func == (lhs: DashboardState, rhs: DashboardState) -> Bool {
        lhs.version == rhs.version && lhs.startedAt == rhs.startedAt && lhs.slots == rhs.slots
            && lhs.running == rhs.running && lhs.queued == rhs.queued && lhs.jobs == rhs.jobs && lhs.tail == rhs.tail
            && lhs.finishes.count == rhs.finishes.count && lhs.droppedEvents == rhs.droppedEvents
    }

    /// Builds the state from the three snapshot results (shapes in docs/PROTOCOL.md).
    public init(status: JSONValue, jobs list: JSONValue, metrics: JSONValue) {
        self.init(
            version: status["version"]?.stringValue ?? "",
            startedAt: status["startedAt"]?.stringValue.flatMap(Instant.init(iso8601:)),
            slots: Int(status["slots"]?.intValue ?? 0), running: Int(status["running"]?.intValue ?? 0),
            queued: Int(status["queued"]?.intValue ?? 0),
            snapshotThroughputPerMinute: metrics["total"]?["throughputPerMinute"]?["last1m"]?.doubleValue,
            snapshotFailureRate: metrics["total"]?["failureRate"]?.doubleValue)
        for item in list.arrayValue ?? [] {
            guard let id = item["id"]?.stringValue else { continue }
            let summary = metrics["jobs"]?[id]
            let runs = summary?["runs"]
            let success = runs?["success"]?.intValue ?? 0
            let hasDurations = (summary?["durationMs"]?["count"]?.intValue ?? 1) > 0
            let failed = (runs?["failed"]?.intValue ?? 0) + (runs?["timeout"]?.intValue ?? 0)
            self.jobs.append(
                Job(
                    id: id, type: item["type"]?.stringValue ?? "", state: item["state"]?.stringValue ?? "?",
                    paused: item["paused"]?.boolValue ?? false,
                    lastStatus: item["lastRun"]?["status"]?.stringValue,
                    lastFinishedAt: item["lastRun"]?["finishedAt"]?.stringValue.flatMap(Instant.init(iso8601:)),
                    nextRun: item["nextRun"]?.stringValue.flatMap(Instant.init(iso8601:)),
                    p50Ms: hasDurations ? summary?["durationMs"]?["p50"]?.intValue : nil,
                    p99Ms: hasDurations ? summary?["durationMs"]?["p99"]?.intValue : nil,
                    finished: success + failed + (runs?["cancelled"]?.intValue ?? 0), failed: failed))
        }
    }

    /// Keeps the sparklines and the event tail of an earlier state (after a reconnection's new snapshot).
    public mutating func carryOver(from old: DashboardState) {
        for index in jobs.indices where jobs[index].samples.isEmpty {
            jobs[index].samples = old.jobs.first { $0.id == jobs[index].id }?.samples ?? []
        }
        if tail.isEmpty { tail = old.tail }
    }

    // MARK: Events

    /// Applies one event from the stream.
    public mutating func apply(_ event: Event) {
        if observingSince == nil { observingSince = event.time }
        let index: Int
        if let found = jobs.firstIndex(where: { $0.id == event.jobId }) {
            index = found
        } else {
            jobs.append(Job(id: event.jobId, type: "", state: "idle"))
            index = jobs.count - 1
        }
        updateCounts(event)
        var job = jobs[index]
        switch event.status {
        case .scheduled: job.state = "scheduled"
        case .queued: job.state = "queued"
        case .running: job.state = "running"
        case .deferred: job.state = "deferred"
        case .retry: job.state = "retrying"
        case .paused:
            job.paused = true
            job.state = "paused"
        case .resumed:
            job.paused = false
            if job.state == "paused" { job.state = "idle" }
        case .success, .failed, .timeout, .cancelled, .skipped, .interrupted, .stale, .chaos:
            break
        }
        if let ms = event.durationMs, event.runId != nil,
            [.success, .failed, .timeout, .cancelled, .interrupted].contains(event.status)
        {
            job.samples.append(Sample(durationMs: ms, status: event.status))
            if job.samples.count > Self.sampleCapacity { job.samples.removeFirst(job.samples.count - Self.sampleCapacity) }
            job.liveDurations.append(ms)
            if job.liveDurations.count > Self.durationWindow { job.liveDurations.removeFirst() }
            if job.liveDurations.count >= Self.liveQuantileMinimum || !job.hasSnapshotPercentiles {
                let sorted = job.liveDurations.sorted()
                job.p50Ms = Self.nearestRank(sorted, 0.50)
                job.p99Ms = Self.nearestRank(sorted, 0.99)
            }
        }
        if event.endsRun && event.status != .skipped {
            job.lastStatus = event.status.rawValue
            job.lastFinishedAt = event.time
            job.state = job.paused ? "paused" : "idle"
            let failed = event.status == .failed || event.status == .timeout
            job.finished += 1
            if failed { job.failed += 1 }
            finishes.append((event.time, failed))
        }
        jobs[index] = job
        finishes.removeAll { event.time.milliseconds(since: $0.time) > Self.failureWindowMs }
        tail.append(TailEntry(time: event.time, jobId: event.jobId, status: event.status, detail: Self.detail(event)))
        if tail.count > Self.tailCapacity { tail.removeFirst(tail.count - Self.tailCapacity) }
    }

    /// Applies an `event` notification's params; returns false when they are not an event.
    @discardableResult
    public mutating func apply(json: JSONValue) -> Bool {
        guard let event = Event(json: json) else { return false }
        apply(event)
        return true
    }

    private mutating func updateCounts(_ event: Event) {
        guard let runId = event.runId else { return }
        let previous = activeRuns[runId]
        switch previous {
        case .queued?: queued = max(0, queued - 1)
        case .running?: running = max(0, running - 1)
        case nil:
            // A run that started before the snapshot: infer where it was.
            if event.status == .running { queued = max(0, queued - 1) }
            if [.success, .failed, .timeout, .cancelled, .interrupted].contains(event.status) {
                running = max(0, running - 1)
            }
        default: break
        }
        switch event.status {
        case .queued: queued += 1
        case .running: running += 1
        default: break
        }
        if event.endsRun { activeRuns[runId] = nil } else { activeRuns[runId] = event.status }
    }

    /// The nearest-rank percentile of sorted values (the smallest value with at least `fraction` of them at or
    /// below it).
    static func nearestRank(_ sorted: [Int64], _ fraction: Double) -> Int64 {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func detail(_ event: Event) -> String {
        var fields: [String] = []
        if let attempt = event.attempt, attempt > 1 { fields.append("attempt \(attempt)") }
        if let ms = event.durationMs { fields.append("took \(DashboardFormat.duration(ms: ms))") }
        if let ms = event.nextRetryIn { fields.append("retry in \(DashboardFormat.duration(ms: ms))") }
        if let by = event.by { fields.append("by \(by)") }
        if let reason = event.reason { fields.append(reason) }
        return fields.joined(separator: "  ")
    }

    // MARK: Derived figures

    /// Final runs in the last minute: counted on the stream once a minute has been watched; before that, the
    /// runs seen so far plus the snapshot's rate for the part of the minute that predates the stream.
    public func throughputPerMinute(now: Instant) -> Double? {
        guard let since = observingSince else { return snapshotThroughputPerMinute }
        let seen = Double(finishes.filter { now.milliseconds(since: $0.time) <= 60_000 }.count)
        let watched = min(max(now.milliseconds(since: since), 0), 60_000)
        return seen + (snapshotThroughputPerMinute ?? 0) * Double(60_000 - watched) / 60_000
    }

    /// The failure rate of the runs that ended in the last 15 minutes, else the snapshot's.
    public func failureRate(now: Instant) -> Double? {
        let recent = finishes.filter { now.milliseconds(since: $0.time) <= Self.failureWindowMs }
        if recent.isEmpty { return snapshotFailureRate }
        return Double(recent.filter(\.failed).count) / Double(recent.count)
    }
}

/// Relative times and durations as the dashboard prints them.
public enum DashboardFormat {
    public static func duration(ms: Int64) -> String {
        var seconds = max(ms, 0) / 1000
        if seconds < 60 { return ms < 1000 ? "\(max(ms, 0))ms" : "\(seconds)s" }
        let days = seconds / 86_400
        seconds %= 86_400
        let hours = seconds / 3600
        seconds %= 3600
        let minutes = seconds / 60
        seconds %= 60
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(seconds)s"
    }

    /// Coarse, for table cells: "3s", "2m", "1h".
    public static func short(ms: Int64) -> String {
        let s = max(ms, 0) / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }
}
