extension Engine {
    /// Adapts to a jump of the wall clock: an operator or NTP stepping the time.
    ///
    /// `shift` is how far the wall clock moved beyond the time that really passed; `instant` is the new time.
    /// Timers that measure a duration (attempt completions, timeouts, retry back-off, deadlines, catch-up spacing,
    /// staleness, failure injection) and the start times of active runs move with the clock, so they still take
    /// the same real time and durations stay true. Timers at wall-clock instants (slots, the end of quiet hours)
    /// stay where the wall clock puts them.
    ///
    /// - Forward: the slots the clock jumped over are missed slots, handled by each job's `missed` policy as after
    ///   an outage of the daemon (their reason says the clock jumped).
    /// - Back: interval jobs and wildcard cron jobs go on from the new time at their rate, as wildcard jobs do in
    ///   the repeated hour of autumn; fixed-time cron jobs never run a wall time a second time (Debian cron does
    ///   the same). Nothing waits for the wall clock to catch up with the time it lost.
    public mutating func clockJumped(by shift: Int64, to instant: Instant, into out: inout [EngineAction]) {
        guard shift != 0 else { return }
        var shifted = BinaryHeap<EngineTimer>()
        for timer in timers.elements {
            switch timer.kind {
            case .slot:
                continue  // re-planned below
            case .quietEnd:
                shifted.insert(timer)  // a window ends at a wall-clock time, wherever the clock was set
            case .catchup, .stale, .chaosEnd, .completion, .timeout, .retry, .deadline:
                var moved = timer
                moved.due += shift
                shifted.insert(moved)
            }
        }
        timers = shifted
        for index in jobs.indices {
            for key in jobs[index].active {
                guard var run = runs[key] else { continue }
                run.queuedAt = run.queuedAt + shift
                run.startedAt = run.startedAt + shift
                if case .retryWait(let until) = run.phase { run.phase = .retryWait(until: until + shift) }
                runs[key] = run
            }
        }
        if shift > 0 {
            missSlots(before: instant, cause: "when the wall clock jumped forward", replanAll: true, into: &out)
            advance(to: instant, into: &out)
            return
        }
        now = instant
        for job in jobs.indices where !jobs[job].removed {
            let fixedTime: Bool
            switch jobs[job].definition.schedule {
            case .cron(let expression, _): fixedTime = expression.isFixedTime
            case .interval, .manual: fixedTime = false
            }
            if !fixedTime, let last = jobs[job].lastSlot, last > instant {
                // A rate goes on from now; the last slot in the future would otherwise hold it back.
                jobs[job].lastSlot = nil
                markDirty(job)
            }
            // An interval anchor now in the future moves back by whole intervals: same phase, slots from now.
            if case .interval(let every, _) = jobs[job].definition.schedule, every > 0, let anchor = jobs[job].anchor,
                anchor > instant
            {
                let intervals = (anchor.milliseconds(since: instant) + every - 1) / every
                jobs[job].anchor = anchor - intervals * every
                jobs[job].updatePlanner()
                markDirty(job)
            }
            planNextSlot(job, after: firstUnplanned(job, from: instant))
        }
        advance(to: instant, into: &out)
    }

    /// Adapts to a gap in which time really passed but the engine was not driven: the machine was suspended
    /// (or the daemon frozen) from the engine's last instant until `instant`.
    ///
    /// No timer moves: the gap was real time, so back-off, timeouts and the end of quiet hours that fell in it
    /// are due now. The slots that fell in it are missed slots, handled by each job's `missed` policy (their
    /// reason says the machine was suspended) instead of all starting late at once.
    public mutating func resumed(at instant: Instant, into out: inout [EngineAction]) {
        guard instant > now else { return }
        missSlots(before: instant, cause: "while the machine was suspended", replanAll: false, into: &out)
        advance(to: instant, into: &out)
    }

    /// Moves the engine to `instant`, giving each job's unfired slots before it an outcome per `missed`, then
    /// plans the next slot of those jobs (of every job with `replanAll`, when the slot timers were dropped) from
    /// `instant`.
    mutating func missSlots(before instant: Instant, cause: String, replanAll: Bool, into out: inout [EngineAction]) {
        if instant > now { now = instant }
        for job in jobs.indices where !jobs[job].removed {
            guard let next = jobs[job].nextSlot, next < instant else {
                if replanAll { planNextSlot(job, after: firstUnplanned(job, from: instant)) }
                continue
            }
            // The first unfired slot is the planned one; everything from it up to now was missed. A paused job
            // records its pause instead of each slot, here as after an outage.
            let reference = next - 1
            if jobs[job].paused {
                if let latest = latestSlot(job, after: reference) {
                    jobs[job].lastSlot = latest
                    markDirty(job)
                }
            } else {
                handleMissedSlots(job, after: reference, cause: cause, into: &out)
            }
            planNextSlot(job, after: firstUnplanned(job, from: instant))
        }
    }

    /// The instant after which the job's next slot is planned when the engine resumes at `instant`: just
    /// before it, or, for a fixed-time cron job whose last slot lies ahead (the clock went back), that slot, so
    /// no wall time runs twice.
    func firstUnplanned(_ job: Int, from instant: Instant) -> Instant {
        let from = instant - 1
        guard case .cron(let expression, _) = jobs[job].definition.schedule, expression.isFixedTime,
            let last = jobs[job].lastSlot
        else { return from }
        return max(from, last)
    }
}
