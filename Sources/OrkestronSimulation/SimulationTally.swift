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
    }

    /// Runs released at the end of one quiet-hours window, for one job.
    struct Release {
        var runs = 0
        var waitsMs: [Int64] = []
        /// Per group: slots held when released runs that then waited were queued (own type not at its limit).
        var blockers: [Int]
        /// Released runs that waited while their own type was at its limit.
        var waitedOnOwnType = 0
    }

    struct JobTally {
        let id: String
        let group: Int
        var slots = 0
        var runs = 0
        /// Runs skipped past their deadline while still deferred by quiet hours (not waiting for a slot).
        var deadlineWhileDeferred = 0
        /// Deferred runs skipped at the window's end because a run of the job was already active (overlap).
        var overlapAtRelease = 0
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
        /// Deferred runs queued when their quiet hours ended and not started yet (to tell behind whom they
        /// waited); rare, so kept apart from the open runs every event looks through.
        var pendingReleases: [String: ReleaseSnapshot] = [:]
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

    /// What a run event changed beyond its own job, for the group and global counters.
    struct Change {
        var queued = 0
        var running = 0
        /// A run released at the end of quiet hours started, with its wait and the slots held at its release.
        var releaseStarted: (release: ReleaseSnapshot, waitMs: Int64)?
    }

    /// Who held the slots when a deferred run was queued at the end of its window.
    struct ReleaseSnapshot {
        var window: String
        var runningByGroup: [Int]
        /// Its own type was at its limit.
        var ownTypeFull: Bool
    }

    mutating func record(_ event: Event) {
        if event.time > clock { integrate(to: event.time) }
        eventCount += 1
        let job = index(of: event.jobId)
        guard job >= 0 else { return }
        guard event.runId != nil else {
            recordJobLevel(event, job: job)
            return
        }
        let group = jobs[job].group
        // Only a run queued at the end of quiet hours has a QUEUED with a reason; the snapshot is rare.
        var snapshot: ReleaseSnapshot?
        if event.status == .queued, let reason = event.reason, reason.hasSuffix("' ended"),
            let window = OutcomeReason.windowName(in: String(reason.dropLast(" ended".count)), windows: windows)
        {
            let full = groups[group].limit.map { groups[group].running >= $0 } ?? false
            snapshot = ReleaseSnapshot(window: window, runningByGroup: groups.map(\.running), ownTypeFull: full)
        }
        // One in-place access to the job's tally per event: nested `jobs[job].…` writes would each check the
        // array for uniqueness.
        let change = Self.apply(event, to: &jobs[job], release: snapshot, windows: windows)
        if change.queued != 0 {
            groups[group].queued += change.queued
            global.queued += change.queued
            if change.queued > 0 {
                groups[group].peakQueued = max(groups[group].peakQueued, groups[group].queued)
                global.peakQueued = max(global.peakQueued, global.queued)
            }
        }
        if change.running != 0 {
            groups[group].running += change.running
            global.running += change.running
        }
        if let started = change.releaseStarted {
            noteRelease(started.release, wait: started.waitMs, job: job)
        }
    }

    /// Applies a run event to its job's tally.
    private static func apply(
        _ event: Event, to job: inout JobTally, release: ReleaseSnapshot?, windows: [String]
    ) -> Change {
        var change = Change()
        var position: Int?
        if let runId = event.runId {
            // The newest runs are at the end, and most events concern the newest run.
            var index = job.open.count - 1
            while index >= 0 {
                if job.open[index].runId == runId {
                    position = index
                    break
                }
                index -= 1
            }
        }
        let previous = position.map { job.open[$0].phase }
        if previous == .queued, event.status != .queued {
            change.queued -= 1
        } else if previous == .running, event.status != .running {
            change.running -= 1
        }

        switch event.status {
        case .scheduled:
            job.slots += 1
            job.open.append(OpenRun(runId: event.runId ?? "", slot: event.slot ?? event.time, phase: .created))
        case .queued:
            if position == nil {
                // Triggered, manual and catch-up runs start at QUEUED.
                job.open.append(OpenRun(runId: event.runId ?? "", slot: event.slot ?? event.time, phase: .created))
                position = job.open.count - 1
            }
            if previous != .queued { change.queued += 1 }
            if let position { job.open[position].phase = .queued }
            if let release, let runId = event.runId { job.pendingReleases[runId] = release }
        case .running:
            guard let position else { return change }
            if previous != .running { change.running += 1 }
            job.open[position].phase = .running
            if !job.open[position].ranOnce {
                job.open[position].ranOnce = true
                job.runs += 1
            }
            if let lateness = event.latenessMs { job.lateness.append(lateness) }
            job.waits.append(event.queueWaitMs ?? 0)
            if !job.pendingReleases.isEmpty, let runId = event.runId,
                let release = job.pendingReleases.removeValue(forKey: runId)
            {
                change.releaseStarted = (release, event.queueWaitMs ?? 0)
            }
        case .success, .failed, .timeout, .cancelled, .interrupted:
            // A duration belongs to an attempt that ran; a run cancelled in a queue has none.
            if previous == .running, let duration = event.durationMs { job.durations.append(duration) }
            if event.endsRun {
                switch event.status {
                case .success: job.successes += 1
                case .failed: job.failures += 1
                case .timeout: job.timeouts += 1
                case .cancelled: job.cancelled += 1
                default: break
                }
            }
            if let position { job.open[position].phase = .waiting }
        case .retry:
            job.retries += 1
            if let position { job.open[position].phase = .waiting }
        case .deferred:
            job.deferred[OutcomeReason(deferred: event.reason, windows: windows), default: 0] += 1
            if let position { job.open[position].phase = .waiting }
        case .skipped:
            let reason = OutcomeReason(skipped: event.reason, windows: windows)
            job.skipped[reason, default: 0] += 1
            if reason == .deadline, previous != .queued { job.deadlineWhileDeferred += 1 }
            if reason == .overlap, previous == .waiting { job.overlapAtRelease += 1 }
        case .paused, .resumed, .stale, .chaos:
            return change
        }

        if change.queued > 0 {
            job.queued += change.queued
            job.peakQueued = max(job.peakQueued, job.queued)
        } else {
            job.queued += change.queued
        }
        if event.endsRun, let position {
            let run = job.open.remove(at: position)
            if run.ranOnce { job.maxSpanMs = max(job.maxSpanMs, event.time.milliseconds(since: run.slot)) }
        }
        return change
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

    private mutating func noteRelease(_ release: ReleaseSnapshot, wait: Int64, job: Int) {
        var tally = jobs[job].releases[release.window] ?? Release(blockers: Array(repeating: 0, count: groups.count))
        tally.runs += 1
        tally.waitsMs.append(wait)
        if wait >= Self.noticeableWaitMs {
            if release.ownTypeFull {
                tally.waitedOnOwnType += 1
            } else {
                for (group, running) in release.runningByGroup.enumerated() { tally.blockers[group] += running }
            }
        }
        jobs[job].releases[release.window] = tally
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
