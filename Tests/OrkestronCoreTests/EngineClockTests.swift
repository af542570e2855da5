import Testing

@testable import OrkestronCore

/// The engine when the wall clock is set forward or back, and when the machine was suspended: what runs, what is
/// recorded, and that durations and back-off keep measuring real time.
@Suite("Engine: wall-clock jumps and suspend")
struct EngineClockTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    static func cron(_ id: String, _ text: String, zone: String = "UTC", durationMs: Int64 = 10) throws -> JobDefinition {
        JobDefinition(
            id: id, schedule: .cron(try CronExpression(parsing: text), timeZone: zone),
            workload: .simulated(SimulatedWorkload(minDurationMs: durationMs, maxDurationMs: durationMs)))
    }

    static func nightWindow(_ action: QuietHours.Action) -> QuietHours {
        QuietHours(
            name: "night", fromSecond: 22 * 3600, toSecond: 6 * 3600, timeZone: "Europe/Berlin", types: ["cleanup"],
            action: action)
    }

    // MARK: Forward

    /// The slots a forward jump passes over are missed slots: `skip` records each, `run_once` runs the latest,
    /// `run_all` runs the latest `catchup.max`; none is silently dropped and none runs twice.
    @Test(
        "a forward jump gives the jumped-over interval slots the job's missed policy",
        arguments: [(MissedPolicy.skip, 60, 0), (.runOnce, 59, 1), (.runAll, 57, 3)])
    func forwardJumpFollowsMissedPolicy(policy: MissedPolicy, skipped: Int, catchups: Int) {
        var job = JobDefinition.simulated("tick", every: 60_000, durationMs: 10)
        job.missed = policy
        if policy == .runAll { job.catchup = CatchupPolicy(max: 3, staggerMs: 1_000) }
        var harness = EngineHarness([job])
        harness.advance(by: 90_000)  // the slot at 60 s ran
        harness.jumpClock(by: Self.hour)  // now 1 h 1 min 30 s: slots 2 min … 1 h 1 min were jumped over
        harness.advance(by: 10_000)
        let events = harness.events(of: "tick")
        let missed = events.filter { $0.status == .skipped }
        #expect(missed.count == skipped)
        let reason: String
        switch policy {
        case .skip: reason = "missed when the wall clock jumped forward (missed = skip)"
        case .runOnce: reason = "missed when the wall clock jumped forward; run_once runs only the latest"
        case .runAll: reason = "missed when the wall clock jumped forward; beyond catchup.max 3"
        }
        #expect(missed.allSatisfy { $0.reason == reason }, "\(missed.first?.reason ?? "none")")
        let caughtUp = events.filter { $0.status == .queued && $0.trigger == .catchup }
        #expect(caughtUp.count == catchups)
        #expect(caughtUp.last?.slot.map { $0.milliseconds(since: EngineHarness.monday) } == (catchups > 0 ? 3_660_000 : nil))
        let slots = events.compactMap { $0.status == .scheduled || $0.trigger == .catchup ? $0.slot : nil }
        #expect(Set(slots).count == slots.count, "no slot is recorded twice")
        // The phase is kept: the next slot is the one at 1 h 2 min.
        harness.advance(to: EngineHarness.monday + 3_720_000)
        #expect(harness.events(of: "tick").last { $0.status == .scheduled }.map { harness.offset($0) } == 3_720_000)
    }

    /// A cron job after a jump of a day forward runs the latest missed hour once (`run_once`) and goes on at the
    /// next hour; a run in progress still takes its real duration, and its recorded duration is the real one.
    @Test("a forward jump re-plans cron slots and keeps running attempts' real durations")
    func forwardJumpCronAndDurations() throws {
        var harness = EngineHarness([try Self.cron("hourly", "0 * * * *"), .simulated("long", durationMs: 60_000)])
        try harness.engine.runNow("long", at: harness.now, into: &harness.actions)
        harness.advance(by: 10_000)
        harness.jumpClock(by: Self.day + 1_800_000)
        let hourly = harness.events(of: "hourly")
        #expect(hourly.filter { $0.status == .skipped }.count == 23, "01:00 … 23:00 of the day jumped over")
        #expect(hourly.first { $0.trigger == .catchup }?.slot == EngineHarness.monday + Self.day)
        #expect(harness.engine.inspect("hourly")?.nextSlot == EngineHarness.monday + Self.day + Self.hour)
        harness.advance(by: 49_000)
        #expect(harness.statuses(of: "long").last == .running, "50 s of real time have passed, not 60")
        harness.advance(by: 2_000)
        #expect(harness.statuses(of: "long").last == .success)
        #expect(harness.events(of: "long").last?.durationMs == 60_000)
    }

    /// Back-off is real time: a retry planned 60 s ahead comes 60 s later, whichever way the clock was set.
    @Test("a retry in back-off keeps its real delay across a jump", arguments: [2 * hour, -2 * hour])
    func retryBackoffAcrossJump(shift: Int64) throws {
        var job = JobDefinition.simulated("flaky", durationMs: 100, failureRate: 1)
        job.retry = RetryPolicy(maxRetries: 1, backoff: .fixed, initialDelayMs: 60_000)
        var harness = EngineHarness([job])
        let runId = try harness.engine.runNow("flaky", at: harness.now, into: &harness.actions)
        harness.advance(by: 10_100)  // failed at 100 ms, retry due at 60.1 s
        #expect(harness.statuses(ofRun: runId) == [.queued, .running, .failed, .retry])
        harness.jumpClock(by: shift)
        harness.advance(by: 49_999)
        #expect(harness.statuses(ofRun: runId).last == .retry, "no retry before 60 s of real time")
        harness.advance(by: 1)
        let second = harness.events.last { $0.runId == runId && $0.status == .queued }
        #expect(second?.attempt == 2)
        #expect(second?.time == EngineHarness.monday + 60_100 + shift)
        harness.advance(by: 200)
        #expect(harness.events(of: "flaky").allSatisfy { ($0.durationMs ?? 0) >= 0 && ($0.queueWaitMs ?? 0) >= 0 })
    }

    /// Runs deferred by quiet hours are released when the window ends on the wall clock: at once after a jump
    /// past its end, not as many hours later as the clock jumped.
    @Test("a forward jump past the end of quiet hours releases the deferred run at once")
    func forwardJumpReleasesDeferred() {
        let job = JobDefinition.simulated("cleanup_1", type: "cleanup", every: Self.hour, durationMs: 10)
        // Monday 20:00 UTC = 21:00 Berlin; the window is 22:00-06:00 Berlin = 21:00-05:00 UTC.
        var harness = EngineHarness(
            [job], settings: EngineSettings(quietHours: [Self.nightWindow(.defer)]),
            start: EngineHarness.monday + 20 * Self.hour)
        harness.advance(by: 2 * Self.hour + 1_000)
        #expect(harness.events(of: "cleanup_1").filter { $0.status == .deferred }.count == 2)
        harness.jumpClock(by: 8 * Self.hour)  // Tuesday 06:00:01 UTC, an hour after the window ended
        let jumpedTo = harness.now
        harness.advance(by: 1_000)
        let released = harness.events(of: "cleanup_1").first { $0.reason == "quiet hours 'night' ended" }
        #expect(released?.time == jumpedTo, "released at \(released.map { "\($0.time)" } ?? "never")")
    }

    // MARK: Back

    /// After the clock is set back, a deferred run still waits for the window's end on the wall clock: it is not
    /// released inside quiet hours.
    @Test("a backward jump keeps a deferred run until the window's wall-clock end")
    func backwardJumpKeepsDeferred() throws {
        // 23:00 UTC = midnight in Berlin, inside the window that ends at 06:00 Berlin = 05:00 UTC.
        var job = try Self.cron("cleanup_1", "0 23 * * *")
        job.type = "cleanup"
        var harness = EngineHarness([job], settings: EngineSettings(quietHours: [Self.nightWindow(.defer)]))
        harness.advance(by: 23 * Self.hour + 1_800_000)
        #expect(harness.statuses(of: "cleanup_1") == [.scheduled, .deferred])
        harness.jumpClock(by: -Self.hour)
        harness.advance(to: EngineHarness.monday + 29 * Self.hour + 1_000)
        let released = harness.events(of: "cleanup_1").first { $0.reason == "quiet hours 'night' ended" }
        #expect(released?.time == EngineHarness.monday + 29 * Self.hour, "Tuesday 05:00 UTC = 06:00 Berlin")
    }

    /// A fixed-time cron job never runs a wall time twice: set back after its 10:00 run, it next runs tomorrow.
    @Test("a backward jump never runs a fixed-time cron slot twice")
    func backwardJumpFixedTime() throws {
        var harness = EngineHarness([try Self.cron("daily", "0 10 * * *")])
        harness.advance(by: 10 * Self.hour + 1_800_000)
        harness.jumpClock(by: -2_700_000)  // 10:30 → 09:45
        harness.advance(by: Self.day + Self.hour)
        let slots = harness.events(of: "daily").filter { $0.status == .scheduled }.compactMap(\.slot)
        #expect(slots == [EngineHarness.monday + 10 * Self.hour, EngineHarness.monday + Self.day + 10 * Self.hour])
    }

    /// Wildcard cron and interval jobs are rates: set back an hour, they go on from the new time at once
    /// instead of waiting for the clock to catch up, and a run in progress records its real duration.
    @Test("a backward jump does not stall wildcard cron and interval jobs")
    func backwardJumpRates() throws {
        var harness = EngineHarness([
            try Self.cron("five", "*/5 * * * *"), .simulated("tick", every: 10_000, durationMs: 10),
            .simulated("long", durationMs: 60_000),
        ])
        harness.advance(by: 10 * Self.hour + 32 * 60_000)
        try harness.engine.runNow("long", at: harness.now, into: &harness.actions)
        harness.advance(by: 10_000)
        let before = harness.events.count
        harness.jumpClock(by: -Self.hour)
        harness.advance(by: 3 * 60_000 + 1_000)
        let after = harness.events[before...]
        let five = after.filter { $0.jobId == "five" && $0.status == .running }
        #expect(five.first.map { harness.offset($0) } == 9 * Self.hour + 35 * 60_000, "the 09:35 slot")
        #expect(after.filter { $0.jobId == "tick" && $0.status == .running }.count >= 18, "every 10 s")
        let long = harness.events(of: "long").last
        #expect(long?.status == .success)
        #expect(long?.durationMs == 60_000)
    }

    // MARK: Suspend

    /// Slots that fell while the machine slept are missed slots per `missed`, not a burst of late runs.
    @Test(
        "slots that fell during a suspend follow the job's missed policy",
        arguments: [(MissedPolicy.skip, 60, 0), (.runOnce, 59, 1)])
    func suspendFollowsMissedPolicy(policy: MissedPolicy, skipped: Int, catchups: Int) {
        var job = JobDefinition.simulated("tick", every: 60_000, durationMs: 10)
        job.missed = policy
        job.overlap = .queue
        var harness = EngineHarness([job])
        harness.advance(by: 90_000)
        harness.suspend(for: Self.hour)
        harness.advance(by: 10_000)
        let events = harness.events(of: "tick")
        let missed = events.filter { $0.status == .skipped }
        #expect(missed.count == skipped)
        #expect(missed.allSatisfy { $0.reason?.hasPrefix("missed while the machine was suspended") == true })
        #expect(events.filter { $0.status == .running }.count == 1 + catchups)
    }

    /// Back-off that ended while the machine slept is over at the resume: the retry is queued at once.
    @Test("a retry whose back-off ended during a suspend is queued at the resume")
    func suspendEndsBackoff() throws {
        var job = JobDefinition.simulated("flaky", durationMs: 100, failureRate: 1)
        job.retry = RetryPolicy(maxRetries: 1, backoff: .fixed, initialDelayMs: 60_000)
        var harness = EngineHarness([job])
        let runId = try harness.engine.runNow("flaky", at: harness.now, into: &harness.actions)
        harness.advance(by: 1_000)
        harness.suspend(for: Self.hour)
        let second = harness.events.last { $0.runId == runId && $0.status == .queued }
        #expect(second?.attempt == 2)
        #expect(second?.time == harness.now)
    }

    // MARK: Random

    /// Random jobs (interval, wildcard and fixed-time cron, failures and retries, quiet hours) with random jumps
    /// both ways and suspends among the inputs: the invariants hold, no duration, wait or lateness is negative,
    /// no fixed-time slot runs twice, and after a jump back the interval job's next slot is within one interval.
    @Test("random clock jumps and suspends never break the invariants", arguments: 0..<24)
    func randomJumps(scenario: UInt64) throws {
        var random = SplitMix64(seed: 0x7A11 &+ scenario)
        let retry = RetryPolicy(maxRetries: 2, backoff: .exponential, initialDelayMs: random.next(in: 100, 30_000))
        var jobs: [JobDefinition] = [
            try Self.cron("fixed", "0 0-59/3 0-23 * * *", zone: "Europe/Berlin", durationMs: random.next(in: 1, 2_000)),
            try Self.cron("wild", "*/20 * * * * *", zone: "America/New_York", durationMs: random.next(in: 1, 2_000)),
            .simulated("tick", type: "cleanup", every: random.next(in: 5_000, 60_000), durationMs: random.next(in: 1, 2_000),
                failureRate: 0.4),
            .simulated("manual", durationMs: random.next(in: 1, 2_000), failureRate: 0.5),
        ]
        for index in jobs.indices {
            jobs[index].retry = retry
            jobs[index].missed = MissedPolicy.allCases[Int(random.next(in: 0, 2))]
            // Bounded, so the checker's scan of queued runs stays cheap.
            if jobs[index].missed == .runAll { jobs[index].catchup = CatchupPolicy(max: 5, staggerMs: 2_000) }
            jobs[index].overlap = OverlapPolicy.allCases[Int(random.next(in: 0, 3))]
        }
        let settings = EngineSettings(
            maxConcurrency: Int(random.next(in: 1, 4)), quietHours: [Self.nightWindow(.defer)], seed: random.next())
        var checker = InvariantChecker(definitions: jobs, settings: settings)
        var harness = EngineHarness(jobs, settings: settings, start: EngineHarness.monday + random.next(in: 0, Self.day))
        var consumed = 0
        var fixedSlots: Set<Instant> = []
        var problems: [String] = []
        for _ in 0..<200 {
            switch random.next(in: 0, 30) {
            case 0:
                harness.jumpClock(by: random.next(in: 3_000, 2 * Self.hour))
            case 1:
                harness.jumpClock(by: -random.next(in: 3_000, 2 * Self.hour))
                let every: Int64
                if case .interval(let interval, _) = jobs[2].schedule { every = interval } else { every = 0 }
                if let next = harness.engine.inspect("tick")?.nextSlot, next.milliseconds(since: harness.now) > every {
                    problems.append("tick stalls until \(next) after a jump back to \(harness.now)")
                }
            case 2:
                harness.suspend(for: random.next(in: 3_000, 2 * Self.hour))
            case 3:
                _ = try? harness.engine.runNow("manual", at: harness.now, into: &harness.actions)
            default:
                harness.advance(by: random.next(in: 0, 90_000))
            }
            for action in harness.actions[consumed...] {
                guard case .event(let event) = action else { continue }
                checker.check(event)
                for value in [event.durationMs, event.queueWaitMs, event.latenessMs] where (value ?? 0) < 0 {
                    problems.append("negative time in \(event)")
                }
                if event.jobId == "fixed", event.status == .scheduled, let slot = event.slot,
                    !fixedSlots.insert(slot).inserted
                {
                    problems.append("fixed-time slot \(slot) ran twice")
                }
            }
            consumed = harness.actions.count
            if !checker.violations.isEmpty || !problems.isEmpty { break }
        }
        #expect(checker.violations.isEmpty, "\(checker.violations.prefix(5))")
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
