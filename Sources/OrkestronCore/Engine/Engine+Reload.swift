/// What a reload changed, by job id.
public struct ReloadDiff: Sendable, Hashable {
    public var added: [String] = []
    public var removed: [String] = []
    public var changed: [String] = []
    public var unchanged: [String] = []

    public init() {}
}

extension Engine {
    /// Applies a new configuration as a diff: new jobs start, removed jobs stop planning slots (their waiting
    /// runs are cancelled, running ones finish without retries), changed jobs take their new definition (a
    /// changed schedule is re-planned from now), and untouched jobs keep everything.
    public mutating func reload(
        jobs definitions: [JobDefinition], settings newSettings: EngineSettings, at instant: Instant,
        into out: inout [EngineAction]
    ) -> ReloadDiff {
        advance(to: instant, into: &out)
        var diff = ReloadDiff()
        let seed = settings.seed
        settings = newSettings
        settings.seed = seed  // streams of running jobs keep their generator; a new seed needs a restart
        for (name, limit) in newSettings.typeConcurrency.sorted(by: { $0.key < $1.key }) {
            if let index = typeIndex[name] {
                types[index].limit = max(limit, 0)
            } else {
                typeIndex[name] = types.count
                types.append(TypeRuntime(name: name, limit: max(limit, 0)))
            }
        }
        for index in types.indices.dropFirst() where newSettings.typeConcurrency[types[index].name ?? ""] == nil {
            types[index].limit = Int.max
        }

        let wanted = Set(definitions.map(\.id))
        for job in jobs.indices where !jobs[job].removed && !wanted.contains(jobs[job].definition.id) {
            removeJob(job, into: &out)
            diff.removed.append(jobs[job].definition.id)
        }
        for definition in definitions.sorted(by: { $0.id < $1.id }) {
            guard let job = jobIndex[definition.id] else {
                addJob(definition, restoring: nil, at: now, into: &out)
                diff.added.append(definition.id)
                continue
            }
            if jobs[job].removed {
                jobs[job].removed = false
                replace(job, with: definition)
                diff.added.append(definition.id)
            } else if jobs[job].definition == definition {
                jobs[job].quietHours = quietHoursIndices(for: definition)
                diff.unchanged.append(definition.id)
            } else {
                replace(job, with: definition)
                diff.changed.append(definition.id)
            }
        }
        // Ranks follow id order, so ties keep breaking by id with the new set of jobs.
        for (rank, job) in jobs.indices.sorted(by: { jobs[$0].definition.id < jobs[$1].definition.id }).enumerated() {
            jobs[job].ordinal = rank
        }
        for type in types.indices {
            for job in jobs.indices where jobs[job].typeIndex == type { refresh(job: job) }
            refresh(type: type)
        }
        dispatch(into: &out)
        return diff
    }

    /// Gives a job a new definition, moving its running count to its new type and re-planning a changed schedule.
    private mutating func replace(_ job: Int, with definition: JobDefinition) {
        let old = jobs[job].definition
        let oldType = jobs[job].typeIndex
        let newType = typeSlot(for: definition.type)
        if oldType != newType {
            types[oldType].ready.remove(job)
            types[oldType].running -= jobs[job].running
            types[newType].running += jobs[job].running
            refresh(type: oldType)
        }
        jobs[job].definition = definition
        jobs[job].typeIndex = newType
        jobs[job].limit = definition.effectiveMaxConcurrency
        jobs[job].quietHours = quietHoursIndices(for: definition)
        if old.schedule != definition.schedule || jobs[job].nextSlot == nil {
            if case .interval = definition.schedule { jobs[job].anchor = now } else { jobs[job].anchor = nil }
            jobs[job].updatePlanner()
            markDirty(job)
            planNextSlot(job, after: now - 1)
        }
        armStaleness(job)
    }

    private mutating func removeJob(_ job: Int, into out: inout [EngineAction]) {
        jobs[job].removed = true
        jobs[job].pendingCatchups = []
        jobs[job].staleGeneration &+= 1
        planNextSlot(job, after: now)
        for key in jobs[job].active {
            guard let run = runs[key] else { continue }
            switch run.phase {
            case .running, .stopping: continue
            case .queued, .held, .retryWait, .deferred:
                cancelRun(key, reason: "job removed from the configuration", into: &out)
            }
        }
    }
}
