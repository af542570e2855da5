import OrkestronCore

/// Everything the report says, folded from the event stream.
///
/// It sees every event of the simulation (millions for a day of a large configuration), so it keeps little per
/// event: per job a handful of counters, its few open runs and the samples of its latencies; per type (and for
/// the jobs without one) the queued and running counts, and time integrals of them taken only when the virtual
/// clock moves.
///
/// It counts like `MetricsAggregator` (runs by final status, RETRY events, queue depth including the instant a
/// run is queued before it starts), but keeps exact samples instead of HDR histograms: the percentiles of a
/// simulation are exact, and 1,000 jobs cost no 3,000 histograms to grow and scan.
struct SimulationTally {
    /// Where a run is, as far as queues and slots are concerned.
    enum Phase {
        /// SCHEDULED, not yet queued.
        case created
        case queued
        case running
        /// Deferred, or between an attempt and its retry.
        case waiting
    }

    /// A run that has not ended yet.
    struct OpenRun {
        var runId: String
        var slot: Instant
        var phase: Phase
        var ranOnce = false
        /// Set on a deferred run queued when its quiet hours ended: the window, and how many slots each group
        /// held at that instant (to tell behind whom it waited).
        var release: (window: String, runningByGroup: [Int])?
    }

    /// Runs released at the end of one quiet-hours window, for one job.
    struct Release {
        var runs = 0
        var waitsMs: [Int64] = []
        /// Per group: slots held when released runs that then waited were queued.
        var blockers: [Int]
    }

    struct JobTally {
        let id: String
        let group: Int
        var slots = 0
        var runs = 0
        var created = 0
        var skipped: [OutcomeReason: Int] = [:]
        var deferred: [OutcomeReason: Int] = [:]
        var successes = 0
        var failures = 0
        var timeouts = 0
        var cancelled = 0
        var retries = 0
        var queued = 0
        var peakQueued = 0
        var durations = Samples()
        var lateness = Samples()
        var waits = Samples()
        var stale = 0
        var autoPausedAt: Instant?
        var autoPauseReason: String?
        var open: [OpenRun] = []
        /// The longest time from a slot to the end of its run, retries and back-off included.
        var maxSpanMs: Int64 = 0
        var releases: [String: Release] = [:]
    }

    /// A type, or (last) the jobs without one: the unit of `[types.X].max_concurrency`.
    struct GroupTally {
        let name: String?
        let limit: Int?
        var queued = 0
        var peakQueued = 0
        var running = 0
        var busyMs: Int64 = 0
        /// All of the type's own slots were busy.
        var saturatedMs: Int64 = 0
        /// Some of its runs were queued while all of its own slots were busy.
        var blockedByTypeMs: Int64 = 0
        /// Some of its runs were queued while the type had room but every global slot was busy.
        var blockedByGlobalMs: Int64 = 0
    }

    struct GlobalTally {
        let limit: Int
        var queued = 0
        var peakQueued = 0
        var running = 0
        var busyMs: Int64 = 0
        var saturatedMs: Int64 = 0
        var blockedMs: Int64 = 0
    }

    var jobs: [JobTally] = []
    var groups: [GroupTally] = []
    var global: GlobalTally
    var eventCount = 0
    private var jobIndex: [String: Int] = [:]
    private var lastJob = -1
    private var clock: Instant
    private let windows: [String]
    /// Attempts that waited at least this long count as waiting behind someone.
    static let noticeableWaitMs: Int64 = 1_000

    init(jobs definitions: [JobDefinition], settings: EngineSettings, typeNames: [String], start: Instant) {
        global = GlobalTally(limit: settings.maxConcurrency)
        clock = start
        windows = settings.quietHours.map(\.name)
        var groupIndex: [String: Int] = [:]
        for name in typeNames.sorted() {
            groupIndex[name] = groups.count
            groups.append(GroupTally(name: name, limit: settings.typeConcurrency[name]))
        }
        let untyped = groups.count
        groups.append(GroupTally(name: nil, limit: nil))
        for definition in definitions.sorted(by: { $0.id < $1.id }) {
            var group = untyped
            if let type = definition.type {
                if let known = groupIndex[type] {
                    group = known
                } else {
                    group = groups.count - 1
                    groups.insert(GroupTally(name: type, limit: settings.typeConcurrency[type]), at: group)
                    groupIndex[type] = group
                }
            }
            jobIndex[definition.id] = jobs.count
            jobs.append(JobTally(id: definition.id, group: group))
        }
    }

    // MARK: - Events

    mutating func record(_ event: Event) {
        if event.time > clock { integrate(to: event.time) }
        eventCount += 1
        let job = index(of: event.jobId)
        guard job >= 0 else { return }
        guard let runId = event.runId else {
            recordJobLevel(event, job: job)
            return
        }
        let group = jobs[job].group
        var position = jobs[job].open.firstIndex { $0.runId == runId }
        let previous = position.map { jobs[job].open[$0].phase }
        if previous == .queued, event.status != .queued {
            adjustQueued(job: job, group: group, by: -1)
        } else if previous == .running, event.status != .running {
            adjustRunning(group: group, by: -1)
        }

        switch event.status {
        case .scheduled:
            jobs[job].slots += 1
            jobs[job].created += 1
            jobs[job].open.append(OpenRun(runId: runId, slot: event.slot ?? event.time, phase: .created))
        case .queued:
            if position == nil {
                // Triggered, manual and catch-up runs start at QUEUED.
                jobs[job].created += 1
                jobs[job].open.append(OpenRun(runId: runId, slot: event.slot ?? event.time, phase: .created))
                position = jobs[job].open.count - 1
            }
            if previous != .queued { adjustQueued(job: job, group: group, by: 1) }
            if let position, let reason = event.reason, reason.hasSuffix("' ended"),
                let window = OutcomeReason.windowName(in: String(reason.dropLast(" ended".count)), windows: windows)
            {
                jobs[job].open[position].release = (window, groups.map(\.running))
            }
            if let position { jobs[job].open[position].phase = .queued }
        case .running:
            guard let position else { return }
            if previous != .running { adjustRunning(group: group, by: 1) }
            jobs[job].open[position].phase = .running
            if !jobs[job].open[position].ranOnce {
                jobs[job].open[position].ranOnce = true
                jobs[job].runs += 1
            }
            if let lateness = event.latenessMs { jobs[job].lateness.append(lateness) }
            jobs[job].waits.append(event.queueWaitMs ?? 0)
            if let release = jobs[job].open[position].release {
                jobs[job].open[position].release = nil
                noteRelease(release, wait: event.queueWaitMs ?? 0, job: job)
            }
        case .success, .failed, .timeout, .cancelled, .interrupted:
            // A duration belongs to an attempt that ran; a run cancelled in a queue has none.
            if previous == .running, let duration = event.durationMs { jobs[job].durations.append(duration) }
            if event.endsRun {
                switch event.status {
                case .success: jobs[job].successes += 1
                case .failed: jobs[job].failures += 1
                case .timeout: jobs[job].timeouts += 1
                case .cancelled: jobs[job].cancelled += 1
                default: break
                }
            }
            guard let position else { return }
            jobs[job].open[position].phase = .waiting
        case .retry:
            jobs[job].retries += 1
            guard let position else { return }
            jobs[job].open[position].phase = .waiting
        case .deferred:
            jobs[job].deferred[OutcomeReason(deferred: event.reason, windows: windows), default: 0] += 1
            if let position { jobs[job].open[position].phase = .waiting }
        case .skipped:
            jobs[job].skipped[OutcomeReason(skipped: event.reason, windows: windows), default: 0] += 1
        case .paused, .resumed, .stale, .chaos:
            return
        }

        if event.endsRun, let position {
            let run = jobs[job].open.remove(at: position)
            if run.ranOnce {
                jobs[job].maxSpanMs = max(jobs[job].maxSpanMs, event.time.milliseconds(since: run.slot))
            }
        }
    }

    private mutating func recordJobLevel(_ event: Event, job: Int) {
        switch event.status {
        case .stale:
            jobs[job].stale += 1
        case .paused where event.by == "auto":
            if jobs[job].autoPausedAt == nil {
                jobs[job].autoPausedAt = event.time
                jobs[job].autoPauseReason = event.reason
            }
        default:
            break
        }
    }

    private mutating func noteRelease(_ release: (window: String, runningByGroup: [Int]), wait: Int64, job: Int) {
        var tally = jobs[job].releases[release.window] ?? Release(blockers: Array(repeating: 0, count: groups.count))
        tally.runs += 1
        tally.waitsMs.append(wait)
        if wait >= Self.noticeableWaitMs {
            for (group, running) in release.runningByGroup.enumerated() { tally.blockers[group] += running }
        }
        jobs[job].releases[release.window] = tally
    }

    private mutating func adjustQueued(job: Int, group: Int, by delta: Int) {
        jobs[job].queued += delta
        groups[group].queued += delta
        global.queued += delta
        if delta > 0 {
            jobs[job].peakQueued = max(jobs[job].peakQueued, jobs[job].queued)
            groups[group].peakQueued = max(groups[group].peakQueued, groups[group].queued)
            global.peakQueued = max(global.peakQueued, global.queued)
        }
    }

    private mutating func adjustRunning(group: Int, by delta: Int) {
        groups[group].running += delta
        global.running += delta
    }

    private mutating func index(of jobId: String) -> Int {
        if lastJob >= 0, jobs[lastJob].id == jobId { return lastJob }
        guard let index = jobIndex[jobId] else { return -1 }
        lastJob = index
        return index
    }

    // MARK: - Time

    /// Adds the time since the last event to the busy, saturated and blocked integrals, with the counts that held
    /// during it (events at one instant all apply before the clock moves on).
    mutating func integrate(to instant: Instant) {
        let elapsed = instant.milliseconds(since: clock)
        guard elapsed > 0 else { return }
        clock = instant
        let globalFull = global.running >= global.limit
        global.busyMs += Int64(global.running) * elapsed
        if globalFull {
            global.saturatedMs += elapsed
            if global.queued > 0 { global.blockedMs += elapsed }
        }
        guard global.running > 0 || global.queued > 0 else { return }
        for group in groups.indices where groups[group].running > 0 || groups[group].queued > 0 {
            groups[group].busyMs += Int64(groups[group].running) * elapsed
            let typeFull = groups[group].limit.map { groups[group].running >= $0 } ?? false
            if typeFull { groups[group].saturatedMs += elapsed }
            if groups[group].queued > 0 {
                if typeFull {
                    groups[group].blockedByTypeMs += elapsed
                } else if globalFull {
                    groups[group].blockedByGlobalMs += elapsed
                }
            }
        }
    }
}
