import OrkestronCore

/// Folds the engine's events into per-job, per-type and total metrics.
///
/// Pure and clock-free: each event's `time` is the clock, and a snapshot takes "now" for its sliding windows and
/// instantaneous values, so the daemon, the simulator and the tests drive it alike.
///
/// `record(_:)` sees every event the engine emits, so it is built not to allocate once warmed up: jobs and types
/// are indexed once into arrays, histograms and rings are created on a level's first value, and the only
/// per-run state is the phase of each active run, dropped when the run ends.
///
/// ```swift
/// var metrics = MetricsAggregator(jobTypes: ["sync_001": "sync"])
/// for event in events { metrics.record(event) }
/// let summary = metrics.snapshot(at: now).jobs["sync_001"]
/// ```
public struct MetricsAggregator: Sendable {
    private struct Job: Sendable {
        let id: String
        var typeIndex: Int?
        var stats = LevelStats()
        var recent = RecentAttempts()
        /// Set by a STALE event, cleared by the next successful run (`max_staleness`).
        var stale = false
    }

    private struct TypeLevel: Sendable {
        let name: String
        var stats = LevelStats()
    }

    /// Where an active run is, as far as queue depth and running counts are concerned.
    private enum RunPhase: Sendable {
        /// SCHEDULED, before its first QUEUED.
        case created
        case queued
        case running
        /// Deferred, or between a failed attempt and its next QUEUED.
        case waiting
    }

    private struct RunState: Sendable {
        var phase: RunPhase
        /// The number of the latest attempt that reached RUNNING; 0 before the first.
        var startedAttempts: Int
    }

    private var jobIndexById: [String: Int] = [:]
    private var jobs: [Job] = []
    private var typeIndexByName: [String: Int] = [:]
    private var types: [TypeLevel] = []
    private var total = LevelStats()
    private var histograms = HistogramPool()
    /// Active runs only: an entry is removed by the event that ends its run.
    private var runs: [String: RunState] = [:]
    /// Consecutive events often name the same job; checking it first skips hashing the id.
    private var lastJobIndex = -1

    /// - Parameter jobTypes: job id → type (`nil` for a job without one). Jobs first seen in an event are added
    ///   without a type; `setType(_:for:)` gives them one.
    public init(jobTypes: [String: String?] = [:]) {
        for (jobId, type) in jobTypes.sorted(by: { $0.key < $1.key }) {
            _ = register(jobId, type: type)
        }
    }

    /// Sets or changes a job's type, e.g. after a configuration reload.
    ///
    /// The job's queued and running runs move to the new type at once, since they will leave its queue there;
    /// what the job did before stays counted under the type it had then.
    public mutating func setType(_ type: String?, for jobId: String) {
        guard let index = jobIndexById[jobId] else {
            _ = register(jobId, type: type)
            return
        }
        let newTypeIndex = type.map { typeIndex(named: $0) }
        let oldTypeIndex = jobs[index].typeIndex
        guard newTypeIndex != oldTypeIndex else { return }
        let queued = jobs[index].stats.queued
        let running = jobs[index].stats.running
        if let oldTypeIndex {
            types[oldTypeIndex].stats.adjustQueued(by: -queued)
            types[oldTypeIndex].stats.running -= running
        }
        if let newTypeIndex {
            types[newTypeIndex].stats.adjustQueued(by: queued)
            types[newTypeIndex].stats.running += running
        }
        jobs[index].typeIndex = newTypeIndex
    }

    /// Accounts for one event. Job-level events (PAUSED, RESUMED, STALE, CHAOS) change no metric.
    public mutating func record(_ event: Event) {
        if event.status == .stale { jobs[index(ofJob: event.jobId)].stale = true }
        guard let runId = event.runId, event.status.isRunStatus else { return }
        let jobIndex = index(ofJob: event.jobId)
        if event.status == .success { jobs[jobIndex].stale = false }
        var effect = EventEffect()
        if let position = runs.index(forKey: runId) {
            if let next = Self.transition(from: runs.values[position], by: event, effect: &effect) {
                runs.values[position] = next
            } else {
                runs.remove(at: position)
            }
        } else if let next = Self.transition(from: nil, by: event, effect: &effect) {
            runs[runId] = next
        }

        jobs[jobIndex].stats.apply(effect, histograms: &histograms)
        if let typeIndex = jobs[jobIndex].typeIndex {
            types[typeIndex].stats.apply(effect, histograms: &histograms)
        }
        total.apply(effect, histograms: &histograms)
        if let durationMs = effect.durationMs {
            jobs[jobIndex].recent.append(AttemptSample(durationMs: durationMs, status: event.status))
        }
    }

    /// Runs that ended FAILED or TIMEOUT in the 15 minutes up to `now`, over every job; O(ring) and no
    /// percentiles, cheap enough for a status line refreshed a few times a second.
    public func failuresInLast15Minutes(at now: Instant) -> Int {
        total.failures.counts(endingAt: ThroughputRing.second(ofMilliseconds: now.millisecondsSinceEpoch)).last15m
    }

    /// The metrics at `now`, optionally narrowed to one job, one type, or both.
    ///
    /// `jobs` lists the jobs that match; `types` lists the filtered type, or the types of the matching jobs when
    /// only a job is given, or every type; `total` always covers every job.
    public func snapshot(at now: Instant, job jobId: String? = nil, type: String? = nil) -> MetricsSnapshot {
        var selectedJobs: [Int]
        if let jobId {
            selectedJobs = jobIndexById[jobId].map { [$0] } ?? []
        } else {
            selectedJobs = Array(jobs.indices)
        }
        if let type {
            let typeIndex = typeIndexByName[type]
            selectedJobs.removeAll { typeIndex == nil || jobs[$0].typeIndex != typeIndex }
        }

        var jobSummaries: [String: MetricsSummary] = [:]
        jobSummaries.reserveCapacity(selectedJobs.count)
        var typesOfSelectedJobs = Set<Int>()
        for index in selectedJobs {
            let job = jobs[index]
            var summary = job.stats.summary(at: now, histograms: histograms)
            summary.type = job.typeIndex.map { types[$0].name }
            summary.lastDurationsMs = job.recent.chronological
            summary.stale = job.stale
            jobSummaries[job.id] = summary
            if let typeIndex = job.typeIndex {
                typesOfSelectedJobs.insert(typeIndex)
            }
        }

        let selectedTypes: [Int]
        if jobId != nil {
            selectedTypes = typesOfSelectedJobs.sorted()
        } else if let type {
            selectedTypes = typeIndexByName[type].map { [$0] } ?? []
        } else {
            selectedTypes = Array(types.indices)
        }
        var typeSummaries: [String: MetricsSummary] = [:]
        for index in selectedTypes {
            typeSummaries[types[index].name] = types[index].stats.summary(at: now, histograms: histograms)
        }

        return MetricsSnapshot(
            at: now, total: total.summary(at: now, histograms: histograms), types: typeSummaries, jobs: jobSummaries)
    }

    /// Runs seen and not yet ended: the only state that grows with load rather than with the configuration.
    public var activeRunCount: Int { runs.count }

    // MARK: - Run phases

    /// The run's phase after `event`, or `nil` when the event ends the run; fills in what the event changes.
    private static func transition(from old: RunState?, by event: Event, effect: inout EventEffect) -> RunState? {
        var state = old ?? RunState(phase: .created, startedAttempts: 0)
        let wasRunning = old?.phase == .running
        switch event.status {
        case .scheduled:
            state.phase = .created
        case .queued:
            state.phase = .queued
        case .running:
            state.phase = .running
            state.startedAttempts = event.attempt ?? state.startedAttempts + 1
            effect.latenessMs = event.latenessMs
            effect.queueWaitMs = event.queueWaitMs
        case .success, .failed, .timeout, .cancelled:
            // A run first seen here (the aggregator started mid-run) is given the benefit of the doubt; an
            // attempt already ended by INTERRUPTED, or a run cancelled in a queue, has no duration to count.
            if old == nil || wasRunning {
                effect.durationMs = event.durationMs
            }
            state.phase = .waiting
        case .interrupted:
            state.phase = .waiting
        case .retry:
            effect.retry = true
            state.phase = .waiting
        case .deferred:
            effect.deferred = true
            state.phase = .waiting
        case .skipped:
            state.phase = .waiting
        case .paused, .resumed, .stale, .chaos:
            return old
        }

        let ends = event.endsRun
        let isQueued = !ends && state.phase == .queued
        let isRunning = !ends && state.phase == .running
        effect.queuedDelta = (isQueued ? 1 : 0) - (old?.phase == .queued ? 1 : 0)
        effect.runningDelta = (isRunning ? 1 : 0) - (wasRunning ? 1 : 0)
        guard ends else { return state }

        effect.finalStatus = finalStatus(of: event.status)
        effect.second = ThroughputRing.second(ofMilliseconds: event.time.millisecondsSinceEpoch)
        if state.startedAttempts > 0 {
            effect.attempts = state.startedAttempts
        } else if old == nil, event.status == .success || event.status == .failed || event.status == .timeout {
            // Ending with a result means at least one attempt ran, even if the aggregator did not see it start.
            effect.attempts = event.attempt ?? 1
        }
        return nil
    }

    private static func finalStatus(of status: EventStatus) -> FinalStatus? {
        switch status {
        case .success: return .success
        case .failed: return .failed
        case .timeout: return .timeout
        case .cancelled: return .cancelled
        case .skipped: return .skipped
        case .scheduled, .queued, .running, .retry, .deferred, .interrupted, .paused, .resumed, .stale, .chaos:
            return nil
        }
    }

    // MARK: - Jobs and types

    private mutating func index(ofJob jobId: String) -> Int {
        if lastJobIndex >= 0, jobs[lastJobIndex].id == jobId {
            return lastJobIndex
        }
        let index = jobIndexById[jobId] ?? register(jobId, type: nil)
        lastJobIndex = index
        return index
    }

    private mutating func register(_ jobId: String, type: String?) -> Int {
        let index = jobs.count
        jobs.append(Job(id: jobId, typeIndex: type.map { typeIndex(named: $0) }))
        jobIndexById[jobId] = index
        return index
    }

    private mutating func typeIndex(named name: String) -> Int {
        if let index = typeIndexByName[name] {
            return index
        }
        let index = types.count
        types.append(TypeLevel(name: name))
        typeIndexByName[name] = index
        return index
    }
}
