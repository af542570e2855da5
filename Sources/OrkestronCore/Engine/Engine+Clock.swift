extension Engine {
    /// Adapts to a jump of the wall clock (an operator or NTP setting the time, a resume from suspend).
    ///
    /// `shift` is how far the wall clock moved beyond the time that really passed. Timers that measure a
    /// duration (attempt completions, timeouts, retry back-off, deadlines, catch-up spacing) move with the
    /// clock so they still fire after the same real time; schedules are re-planned from the new time, so a
    /// cron job fires at its next wall-clock match and an interval job keeps its phase. Slots the jump skipped
    /// forward over are not run; after a jump back, slots are not repeated.
    public mutating func clockJumped(by shift: Int64, to instant: Instant, into out: inout [EngineAction]) {
        guard shift != 0 else { return }
        var shifted = BinaryHeap<EngineTimer>()
        for timer in timers.elements {
            switch timer.kind {
            case .slot:
                continue  // re-planned below
            case .catchup, .quietEnd, .stale, .chaosEnd, .completion, .timeout, .retry, .deadline:
                var moved = timer
                moved.due += shift
                shifted.insert(moved)
            }
        }
        timers = shifted
        now = instant
        for job in jobs.indices where !jobs[job].removed {
            // After a jump back the last slot lies in the future; forget it so the schedule restarts from now.
            if let last = jobs[job].lastSlot, last > instant { jobs[job].lastSlot = nil }
            // An interval anchor now in the future moves back by whole intervals: same phase, slots from now.
            if case .interval(let every, _) = jobs[job].definition.schedule, every > 0, let anchor = jobs[job].anchor,
                anchor > instant
            {
                let intervals = (anchor.milliseconds(since: instant) + every - 1) / every
                jobs[job].anchor = anchor - intervals * every
                jobs[job].updatePlanner()
                markDirty(job)
            }
            planNextSlot(job, after: instant - 1)
        }
        advance(to: instant, into: &out)
    }
}
