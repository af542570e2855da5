extension Engine {
    /// The ids of the jobs the engine runs (removed ones excluded), in id order.
    public var jobIds: [String] {
        // Not `jobs.filter`: that would copy every job's runtime state to read its id.
        var ids: [String] = []
        ids.reserveCapacity(jobs.count)
        for index in jobs.indices where !jobs[index].removed { ids.append(jobs[index].definition.id) }
        return ids.sorted()
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
        var holders = SlotHolders()
        return inspection(at: index, holders: &holders)
    }

    /// Whether the engine runs a job with this id (a removed one does not count), without inspecting it.
    public func hasJob(_ jobId: String) -> Bool {
        jobIndex[jobId].map { !jobs[$0].removed } ?? false
    }

    /// Every job's inspection, in id order (as `jobIds`).
    public func inspectAll() -> [JobInspection] {
        inspect(jobIds)
    }

    /// The inspections of `jobIds`, in their order; unknown and removed ids are left out.
    ///
    /// The jobs holding slots are found once for the whole list, not once per job: `inspect` walks every job to
    /// find them, so inspecting 10,000 jobs one by one took 200 million steps (a `jobs.list` of 10,000 jobs
    /// took seconds).
    public func inspect(_ jobIds: [String]) -> [JobInspection] {
        var holders = SlotHolders()
        var inspections: [JobInspection] = []
        inspections.reserveCapacity(jobIds.count)
        for id in jobIds {
            guard let index = jobIndex[id], !jobs[index].removed else { continue }
            inspections.append(inspection(at: index, holders: &holders))
        }
        return inspections
    }

    /// The slot holders of each type and of the whole engine, computed when first asked for.
    private struct SlotHolders {
        var global: [String]?
        var byType: [Int: [String]] = [:]
    }

    private func inspection(at index: Int, holders cache: inout SlotHolders) -> JobInspection {
        // `jobs[index].x` rather than a copy of the whole runtime state (most of the cost of a long list).
        let jobId = jobs[index].definition.id
        var active: [JobInspection.ActiveRun] = []
        for key in jobs[index].active {
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
        let type = types[jobs[index].typeIndex]
        let typeHolders = cache.byType[jobs[index].typeIndex] ?? holders(type: jobs[index].typeIndex)
        cache.byType[jobs[index].typeIndex] = typeHolders
        let globalHolders = cache.global ?? holders(type: nil)
        cache.global = globalHolders
        return JobInspection(
            jobId: jobId, definition: jobs[index].definition, state: state(of: jobs[index], active: active),
            paused: jobs[index].paused, pausedBy: jobs[index].pausedBy, pausedAt: jobs[index].pausedAt,
            pauseReason: jobs[index].pauseReason, nextSlot: jobs[index].nextSlot, nextDue: jobs[index].nextDue,
            lastSlot: jobs[index].lastSlot, lastFinished: jobs[index].lastFinished,
            lastSuccess: jobs[index].lastSuccess, consecutiveFailures: jobs[index].consecutiveFailures,
            activeRuns: active,
            jobLimit: JobInspection.Limit(
                running: jobs[index].running, limit: jobs[index].limit == Int.max ? nil : jobs[index].limit,
                holders: active.compactMap { if case .running = $0.phase { return $0.runId } else { return nil } }),
            typeLimit: JobInspection.Limit(
                running: type.running, limit: type.limit == Int.max ? nil : type.limit, holders: typeHolders),
            globalLimit: JobInspection.Limit(
                running: runningCount, limit: settings.maxConcurrency, holders: globalHolders),
            chaosRate: jobs[index].chaosRate, isDraining: isDraining)
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
