extension Engine {
    /// Re-ranks a job among its type's ready jobs after its queue or its running count changed.
    ///
    /// A job is ready when it has a queued run and a free slot of its own; a type is ready when it has a ready
    /// job and a free slot of its own. Both levels are indexed heaps, so every change costs O(log n).
    mutating func refresh(job: Int) {
        let type = jobs[job].typeIndex
        if let head = jobs[job].queue.min, jobs[job].running < jobs[job].limit {
            let key = DispatchKey(
                negatedPriority: -jobs[job].definition.priority, slot: head.slot, ordinal: jobs[job].ordinal,
                serial: head.serial)
            types[type].ready.set(job, key: key)
        } else {
            types[type].ready.remove(job)
        }
        refresh(type: type)
    }

    mutating func refresh(type: Int) {
        if let best = types[type].ready.minID, types[type].running < types[type].limit,
            let key = types[type].ready.key(of: best)
        {
            readyTypes.set(type, key: key)
        } else {
            readyTypes.remove(type)
        }
    }

    /// Starts queued runs, best first, while global, type and job limits allow.
    mutating func dispatch(into out: inout [EngineAction]) {
        guard !isDraining else { return }
        while runningCount < settings.maxConcurrency, let type = readyTypes.minID,
            let job = types[type].ready.minID
        {
            guard let entry = jobs[job].queue.popMin() else {
                refresh(job: job)
                continue
            }
            startAttempt(entry.run, into: &out)
            refresh(job: job)
        }
    }

    /// Takes a queued run out of its job's queue (cancel, deadline, pause).
    mutating func removeFromQueue(_ key: Int, job: Int) {
        jobs[job].queue.removeAll { $0.run == key }
        refresh(job: job)
    }
}
