extension Engine {
    /// How many missed slots are recorded one by one after an outage; older ones are counted in a reason.
    static let missedRecordLimit = 100
    /// The most catch-up runs `run_all` makes when `catchup.max` is not set.
    static let defaultCatchupLimit = 1_000

    // MARK: - Jobs

    mutating func addJob(
        _ definition: JobDefinition, restoring state: JobPersistentState?, at instant: Instant,
        into out: inout [EngineAction]
    ) {
        let index = jobs.count
        var runtime = JobRuntime(
            definition: definition, ordinal: index, typeIndex: typeSlot(for: definition.type),
            seed: settings.seed, quietHours: quietHoursIndices(for: definition), now: instant)
        if let state {
            runtime.anchor = state.anchor
            runtime.lastSlot = state.lastSlot
            runtime.paused = state.paused
            runtime.pausedBy = state.paused ? state.pausedBy : nil
            runtime.pausedAt = state.paused ? state.pausedAt : nil
            runtime.runCounter = state.runCounter
            runtime.consecutiveFailures = state.consecutiveFailures
            runtime.lastSuccess = state.lastSuccess
        }
        if case .interval = definition.schedule, runtime.anchor == nil {
            runtime.anchor = instant
        }
        runtime.updatePlanner()
        runtime.isDirty = true
        jobs.append(runtime)
        jobIndex[definition.id] = index
        dirtyJobs.append(index)

        let reference = runtime.lastSlot ?? (state != nil ? runtime.anchor : nil)
        if let reference {
            if runtime.paused {
                // A paused job records its pause instead of each slot, during an outage too.
                if let latest = latestSlot(index, after: reference) { jobs[index].lastSlot = latest }
            } else {
                handleMissedSlots(index, after: reference, into: &out)
            }
        }
        planNextSlot(index, after: firstUnplanned(index, from: now))
        armStaleness(index)
    }

    /// The dispatch group of a type: its own limit when `[types.X].max_concurrency` is set, else the shared
    /// unlimited group.
    mutating func typeSlot(for type: String?) -> Int {
        guard let type, let index = typeIndex[type] else { return 0 }
        return index
    }

    func quietHoursIndices(for definition: JobDefinition) -> [Int] {
        settings.quietHours.indices.filter { settings.quietHours[$0].applies(to: definition) }
    }

    // MARK: - Slots

    /// Plans the job's next slot strictly after `instant`, drawing its jitter.
    mutating func planNextSlot(_ job: Int, after instant: Instant) {
        jobs[job].slotGeneration &+= 1
        guard !jobs[job].removed, let slot = jobs[job].planner.slot(after: instant) else {
            jobs[job].nextSlot = nil
            jobs[job].nextDue = nil
            return
        }
        let jitter = jobs[job].definition.jitterMs
        let due = jitter > 0 ? slot + jobs[job].random.next(in: 0, jitter) : slot
        jobs[job].nextSlot = slot
        jobs[job].nextDue = due
        schedule(.slot(job: job, generation: jobs[job].slotGeneration), at: due)
    }

    /// A slot came due: record it, then queue, defer or skip its run.
    mutating func slotDue(_ job: Int, into out: inout [EngineAction]) {
        guard let slot = jobs[job].nextSlot, let due = jobs[job].nextDue else { return }
        jobs[job].lastSlot = slot
        markDirty(job)
        planNextSlot(job, after: slot)
        // A paused job records its pause and resume instead of each slot.
        guard !jobs[job].paused else { return }
        let key = createRun(job: job, trigger: .schedule, slot: due, phase: .queued)
        emit(job: job, run: key, status: .scheduled, trigger: .schedule, slot: due, into: &out)
        if let deadline = jobs[job].definition.deadlineMs {
            schedule(.deadline(run: key, serial: runs[key]!.serial), at: due + deadline)
        }

        if let window = quietWindow(for: job, at: due) {
            switch window.action {
            case .skip:
                skip(key, reason: "quiet hours '\(window.name)'", into: &out)
            case .defer:
                deferRun(key, window: window.name, until: window.end, into: &out)
            }
            return
        }

        let others = jobs[job].active.count - 1 - jobs[job].deferred.count
        if others >= jobs[job].limit {
            switch jobs[job].definition.overlap {
            case .skip:
                var previous = "?"
                if let first = jobs[job].active.first, let run = runs[first] { previous = run.id }
                skip(key, reason: "overlap skip: previous run \(previous) still active", into: &out)
                return
            case .queue, .allow:
                break
            case .replace:
                let newID = runs[key]!.id
                for other in jobs[job].active where other != key {
                    if case .deferred = runs[other]?.phase { continue }
                    cancelRun(other, reason: "replaced by \(newID)", into: &out)
                }
            }
        }
        queue(key, firstEvent: true, reason: nil, into: &out)
    }

    mutating func skip(_ key: Int, reason: String, into out: inout [EngineAction]) {
        guard let run = runs[key] else { return }
        emit(job: run.job, run: key, status: .skipped, reason: reason, into: &out)
        finishRun(key, status: .skipped, into: &out)
    }

    // MARK: - Quiet hours

    mutating func deferRun(_ key: Int, window: String, until end: Instant, into out: inout [EngineAction]) {
        guard let job = runs[key]?.job else { return }
        runs[key]?.phase = .deferred(until: end, window: window)
        jobs[job].deferred.append(key)
        let zoneID = settings.quietHours.first { $0.name == window }?.timeZone ?? "UTC"
        let local = end.iso8601(in: zone(zoneID), fractionalSeconds: false)
        emit(job: job, run: key, status: .deferred, reason: "quiet hours '\(window)' until \(local)", into: &out)
        jobs[job].quietGeneration &+= 1
        let latest = jobs[job].deferred.compactMap { deferredUntil(runs[$0]) }.max() ?? end
        schedule(.quietEnd(job: job, generation: jobs[job].quietGeneration), at: latest)
    }

    func deferredUntil(_ run: RunRecord?) -> Instant? {
        if case .deferred(let until, _)? = run?.phase { return until }
        return nil
    }

    /// The window ended: the job's deferred slots coalesce into one run (the latest); the rest are SKIPPED.
    mutating func quietHoursEnded(_ job: Int, into out: inout [EngineAction]) {
        let deferred = jobs[job].deferred
        guard let keep = deferred.last else { return }
        jobs[job].deferred = []
        for key in deferred.dropLast() {
            skip(key, reason: "coalesced into \(runs[keep]?.id ?? "a later run") after quiet hours", into: &out)
        }
        let window: String
        if case .deferred(_, let name)? = runs[keep]?.phase { window = name } else { window = "?" }
        // The coalesced run obeys `overlap` like any slot: a run already active at the window's end (a slot due
        // at that very instant, a retry) makes it skip under skip and replace (the active run is the newer
        // one), and wait under queue and allow.
        let others = jobs[job].active.filter { $0 != keep }
        if others.count >= jobs[job].limit, [.skip, .replace].contains(jobs[job].definition.overlap) {
            let previous = others.first.flatMap { runs[$0]?.id } ?? "?"
            skip(keep, reason: "overlap skip: run \(previous) active when quiet hours '\(window)' ended", into: &out)
            return
        }
        queue(keep, firstEvent: false, reason: "quiet hours '\(window)' ended", into: &out)
    }

    /// The quiet-hours window covering `instant` for this job, with the instant it ends.
    mutating func quietWindow(for job: Int, at instant: Instant) -> (name: String, end: Instant, action: QuietHours.Action)? {
        for index in jobs[job].quietHours {
            let window = settings.quietHours[index]
            if let end = QuietHoursCalendar(window: window, zone: zone(window.timeZone)).end(ofWindowContaining: instant) {
                return (window.name, end, window.action)
            }
        }
        return nil
    }

    // MARK: - Missed slots and catch-up

    /// Gives every slot that fell while the daemon was down an outcome, per the job's `missed` policy.
    ///
    /// `cause` completes "missed …" in the reasons: why the slots went by without the engine (the daemon was
    /// down, the clock jumped forward, the machine was suspended).
    mutating func handleMissedSlots(
        _ job: Int, after reference: Instant, cause: String = "while the daemon was down", into out: inout [EngineAction]
    ) {
        let definition = jobs[job].definition
        let toRun: Int
        switch definition.missed {
        case .skip: toRun = 0
        case .runOnce: toRun = 1
        case .runAll: toRun = definition.catchup?.max ?? Self.defaultCatchupLimit
        }
        let keep = Self.missedRecordLimit + toRun
        var recent: [Instant] = []
        var total = 0
        var cursor = reference
        let planner = jobs[job].planner
        while let slot = planner.slot(after: cursor), slot < now {
            total += 1
            recent.append(slot)
            if recent.count > 2 * keep { recent.removeFirst(recent.count - keep) }
            cursor = slot
        }
        guard total > 0 else { return }
        if recent.count > keep { recent.removeFirst(recent.count - keep) }
        let running = min(toRun, recent.count)
        let skipped = recent.dropLast(running)
        let unlisted = total - recent.count
        let why: String
        switch definition.missed {
        case .skip: why = "missed \(cause) (missed = skip)"
        case .runOnce: why = "missed \(cause); run_once runs only the latest"
        case .runAll: why = "missed \(cause); beyond catchup.max \(toRun)"
        }
        for (position, slot) in skipped.enumerated() {
            let key = createRun(job: job, trigger: .schedule, slot: slot, phase: .queued)
            emit(job: job, run: key, status: .scheduled, trigger: .schedule, slot: slot, into: &out)
            let note = position == 0 && unlisted > 0 ? "; \(unlisted) earlier missed slots are not listed" : ""
            skip(key, reason: why + note, into: &out)
        }
        jobs[job].lastSlot = recent.last
        // Appended: catch-ups still pending from an earlier gap keep their turn.
        jobs[job].pendingCatchups += recent.suffix(running)
        jobs[job].catchupStagger = definition.catchup?.staggerMs ?? 0
        if !jobs[job].pendingCatchups.isEmpty {
            jobs[job].catchupGeneration &+= 1
            schedule(.catchup(job: job, generation: jobs[job].catchupGeneration), at: now)
        }
    }

    /// The last slot strictly after `reference` and before now, if any.
    func latestSlot(_ job: Int, after reference: Instant) -> Instant? {
        let planner = jobs[job].planner
        var latest: Instant?
        var cursor = reference
        while let slot = planner.slot(after: cursor), slot < now {
            latest = slot
            cursor = slot
        }
        return latest
    }

    /// Queues the next pending catch-up run and plans the one after it `stagger` later.
    mutating func releaseCatchup(_ job: Int, into out: inout [EngineAction]) {
        guard !jobs[job].pendingCatchups.isEmpty, !jobs[job].removed else { return }
        let slot = jobs[job].pendingCatchups.removeFirst()
        let key = createRun(job: job, trigger: .catchup, slot: slot, phase: .queued)
        enqueueNewRun(key, into: &out)
        if !jobs[job].pendingCatchups.isEmpty {
            schedule(
                .catchup(job: job, generation: jobs[job].catchupGeneration), at: now + jobs[job].catchupStagger)
        }
    }

    // MARK: - Restore

    /// Takes back a run that was active when the daemon stopped.
    mutating func restoreRun(_ restored: RestoredRun, into out: inout [EngineAction]) {
        guard let job = jobIndex[restored.jobId] else { return }
        let key = createRun(
            job: job, trigger: restored.trigger, slot: restored.slot, phase: .queued,
            triggeredBy: restored.triggeredBy, id: restored.runId)
        runs[key]?.attempt = restored.attempt
        runs[key]?.everStarted = restored.attempt > 1
        switch restored.phase {
        case .scheduled:
            runs[key]?.attempt = 0
            queue(key, firstEvent: false, reason: "restored after restart", into: &out)
        case .queued:
            let hold = jobs[job].paused && restored.trigger != .manual
            runs[key]?.phase = hold ? .held : .queued
            if hold {
                jobs[job].held.append(key)
            } else {
                jobs[job].queue.insert(runs[key]!.queueEntry)
                refresh(job: job)
            }
        case .running:
            runs[key]?.phase = .running
            runs[key]?.startedAt = now
            runs[key]?.everStarted = true
            jobs[job].running += 1
            types[jobs[job].typeIndex].running += 1
            runningCount += 1
            endAttempt(key, .interrupted, into: &out)
        case .retryWait(let until):
            let at = max(until, now)
            runs[key]?.phase = .retryWait(until: at)
            runs[key]?.everStarted = true
            schedule(.retry(run: key, token: runs[key]!.token), at: at)
        case .deferred:
            let window = quietWindow(for: job, at: now)
            let end = window?.end ?? now
            runs[key]?.phase = .deferred(until: end, window: window?.name ?? "")
            jobs[job].deferred.append(key)
            jobs[job].quietGeneration &+= 1
            schedule(.quietEnd(job: job, generation: jobs[job].quietGeneration), at: end)
        }
        if let deadline = jobs[job].definition.deadlineMs, restored.trigger != .manual,
            runs[key]?.everStarted == false
        {
            schedule(.deadline(run: key, serial: runs[key]!.serial), at: restored.slot + deadline)
        }
    }
}
