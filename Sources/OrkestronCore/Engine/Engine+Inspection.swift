extension Engine {
    /// The ids of the jobs the engine runs (removed ones excluded), in id order.
    public var jobIds: [String] {
        jobs.filter { !$0.removed }.map(\.definition.id).sorted()
    }

    /// The number of jobs, without building the sorted list `jobIds` gives.
    public var jobCount: Int {
        jobs.reduce(0) { $0 + ($1.removed ? 0 : 1) }
    }

    /// Jobs with failure injection active, and its rate, in id order.
    public var activeChaos: [(jobId: String, rate: Double)] {
        jobs.compactMap { job in job.removed ? nil : job.chaosRate.map { (job.definition.id, $0) } }.sorted { $0.jobId < $1.jobId }
    }

    /// Runs queued now (held ones included) and the number of paused jobs.
    public var queuedCount: Int {
        jobs.reduce(0) { $0 + $1.queue.count + $1.held.count }
    }

    public var pausedCount: Int {
        jobs.reduce(0) { $0 + ($1.paused && !$1.removed ? 1 : 0) }
    }

    /// Everything known about one job now, or nil for an unknown id.
    public func inspect(_ jobId: String) -> JobInspection? {
        guard let index = jobIndex[jobId], !jobs[index].removed else { return nil }
        let job = jobs[index]
        var active: [JobInspection.ActiveRun] = []
        for key in job.active {
            guard let run = runs[key] else { continue }
            let phase: JobInspection.ActiveRun.Phase
            switch run.phase {
            case .queued: phase = .queued
            case .held: phase = .held
            case .running: phase = .running(since: run.startedAt)
            case .stopping(let reason):
                phase = .stopping(since: run.startedAt, reason: reason == .timeout ? "timeout" : "cancel")
            case .retryWait(let until): phase = .retryWait(until: until)
            case .deferred(let until, let window): phase = .deferred(until: until, window: window)
            }
            active.append(
                JobInspection.ActiveRun(
                    runId: run.id, attempt: run.attempt, trigger: run.trigger, slot: run.slot,
                    queuedAt: run.queuedAt, phase: phase))
        }
        let type = types[job.typeIndex]
        return JobInspection(
            jobId: jobId, definition: job.definition, state: state(of: job, active: active), paused: job.paused,
            pausedBy: job.pausedBy, pausedAt: job.pausedAt, pauseReason: job.pauseReason, nextSlot: job.nextSlot,
            nextDue: job.nextDue, lastSlot: job.lastSlot, lastFinished: job.lastFinished,
            lastSuccess: job.lastSuccess, consecutiveFailures: job.consecutiveFailures, activeRuns: active,
            jobLimit: JobInspection.Limit(
                running: job.running, limit: job.limit == Int.max ? nil : job.limit,
                holders: active.compactMap { if case .running = $0.phase { return $0.runId } else { return nil } }),
            typeLimit: JobInspection.Limit(
                running: type.running, limit: type.limit == Int.max ? nil : type.limit,
                holders: holders(type: job.typeIndex)),
            globalLimit: JobInspection.Limit(
                running: runningCount, limit: settings.maxConcurrency, holders: holders(type: nil)),
            chaosRate: job.chaosRate, isDraining: isDraining)
    }

    private func state(of job: JobRuntime, active: [JobInspection.ActiveRun]) -> JobInspection.State {
        var best: JobInspection.State = job.paused ? .paused : (job.nextDue != nil ? .scheduled : .idle)
        for run in active {
            switch run.phase {
            case .running, .stopping: return .running
            case .queued, .held: if best != .retrying { best = .queued }
            case .retryWait: best = .retrying
            case .deferred: if best == .scheduled || best == .idle || best == .paused { best = .deferred }
            }
        }
        return best
    }

    /// Jobs holding run slots (of one type, or anywhere), at most five, for "waiting for a slot" explanations.
    private func holders(type: Int?) -> [String] {
        var result: [String] = []
        // By index, reading two fields in place: `for job in jobs` copied each job's whole runtime (retaining its
        // definition, queues and tables), and every inspection scans up to all jobs twice, so `jobs.list` of
        // 1,000 jobs spent most of its time here.
        for index in jobs.indices where jobs[index].running > 0 && (type == nil || jobs[index].typeIndex == type) {
            result.append(jobs[index].definition.id)
            if result.count == 5 { break }
        }
        return result
    }

    /// The next `count` slots of a job with the policies that apply to them (pause, quiet hours, jitter).
    public mutating func upcoming(_ jobId: String, count: Int) -> [PlannedSlot] {
        guard let index = jobIndex[jobId], !jobs[index].removed else { return [] }
        var result: [PlannedSlot] = []
        var cursor = jobs[index].lastSlot ?? (now - 1)
        if let next = jobs[index].nextSlot { cursor = next - 1 }
        let planner = jobs[index].planner
        let jitter = jobs[index].definition.jitterMs
        while result.count < count, let slot = planner.slot(after: cursor) {
            let window = quietWindow(for: index, at: slot)
            result.append(
                PlannedSlot(
                    slot: slot, earliest: slot, latest: slot + jitter,
                    quietHours: window.map { ($0.name, $0.action, $0.end) }, paused: jobs[index].paused))
            cursor = slot
        }
        return result
    }
}
