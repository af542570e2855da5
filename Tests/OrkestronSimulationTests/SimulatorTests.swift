import OrkestronCore
import OrkestronProtocol
import OrkestronSimulation
import Testing

/// The simulation of small configurations whose outcome can be worked out by hand.
@Suite("Simulator")
struct SimulatorTests {
    @Test("an interval job runs once per slot inside the window and reports its fixed duration")
    func countsOfASimpleJob() throws {
        let report = try Harness.simulate(
            """
            [daemon]
            seed = 1
            [[job]]
            id = "tick"
            interval = "10s"
            duration = "1s"
            """, duration: "1m")
        let tick = try #require(report.job("tick"))
        // Slots at +10 s … +50 s; the one at +60 s belongs to the next window.
        #expect(tick.stats.slots == 5)
        #expect(tick.stats.runs == 5)
        #expect(tick.stats.successes == 5)
        #expect(tick.stats.failures == 0)
        #expect(tick.stats.skippedTotal == 0)
        #expect(tick.stats.unfinished == 0)
        #expect(tick.stats.durationMs.p50 == 1_000 && tick.stats.durationMs.p99 == 1_000)
        #expect(tick.stats.latenessMs.p99 == 0)
        #expect(tick.schedule == "interval 10s")
        #expect(report.total.runs == 5)
        // 5 s busy of one slot out of 8 slots × 60 s.
        #expect(report.busyMs == 5_000)
        #expect(report.end == Harness.start + 60_000)
    }

    @Test("a run longer than its interval skips the slots that fall while it runs, and says so")
    func overlapSkips() throws {
        let report = try Harness.simulate(
            """
            [[job]]
            id = "slow"
            interval = "2s"
            duration = "5s"
            """, duration: "20s")
        let slow = try #require(report.job("slow"))
        // Runs at 2 s, 8 s and 14 s; the slots at 4, 6, 10, 12, 16 and 18 s fall while one runs.
        #expect(slow.stats.slots == 9)
        #expect(slow.stats.runs == 3)
        #expect(slow.stats.skipped == [.overlap: 6])
        #expect(slow.stats.successes == 3)
        let finding = try #require(report.findings.first { $0.kind == .overlap })
        #expect(
            finding.text
                == "slow skipped 6 of 9 slots because the previous run was still active (p99 duration 5s > interval 2s)")
    }

    @Test("retries and back-off that outlast the interval are named as the cause of overlap skips")
    func overlapFromRetries() throws {
        let report = try Harness.simulate(
            """
            [[job]]
            id = "flaky"
            interval = "3s"
            duration = "500ms"
            failure_rate = 1.0
            retry = { max_retries = 2, backoff = "fixed", initial_delay = "2s" }
            """, duration: "30s")
        let flaky = try #require(report.job("flaky"))
        #expect(flaky.stats.failures > 0)
        #expect(flaky.stats.retries > 0)
        let finding = try #require(report.findings.first { $0.kind == .overlap })
        // Each run: 0.5 s + 2 s + 0.5 s + 2 s + 0.5 s = 5.5 s from slot to end.
        #expect(finding.text.contains("runs took up to 5.5s from slot to end, retries and back-off included, > interval 3s"))
        let failed = try #require(report.findings.first { $0.kind == .failures })
        #expect(failed.text.hasPrefix("flaky ended FAILED in 100% of runs"))
        #expect(failed.text.hasSuffix("after 2 retries"))
    }

    @Test("quiet hours defer slots to the window's end, where they coalesce into one run")
    func quietHoursDeferral() throws {
        let report = try Harness.simulate(
            """
            [daemon]
            timezone = "UTC"
            [[quiet_hours]]
            name = "night"
            from = "00:00"
            to = "01:00"
            action = "defer"
            [[job]]
            id = "nightly"
            type = "cleanup"
            interval = "10m"
            duration = "1s"
            """, duration: "2h")
        let nightly = try #require(report.job("nightly"))
        // Slots at 00:10 … 00:50 fall in the window; four are coalesced into the latest, which, at 01:00, meets the
        // 01:00 slot already running and obeys overlap = skip.
        #expect(nightly.stats.deferred == [.quietHours("night"): 5])
        #expect(nightly.stats.skipped == [.coalesced: 4, .overlap: 1])
        #expect(nightly.stats.slots == 11)
        #expect(nightly.stats.runs == 6)
        let finding = try #require(report.findings.first { $0.kind == .quietHours })
        #expect(finding.text.hasPrefix(
            "quiet hours 'night' deferred 5 runs of nightly to 01:00; 4 were coalesced, 1 skipped at the window's end because a run was already active and 0 ran when the window ended"))
    }

    @Test("quiet hours with action skip record each slot in the window as skipped by that window")
    func quietHoursSkip() throws {
        let report = try Harness.simulate(
            """
            [[quiet_hours]]
            name = "backup"
            from = "00:00"
            to = "00:30"
            timezone = "UTC"
            action = "skip"
            [[job]]
            id = "report"
            interval = "5m"
            duration = "1s"
            """, duration: "1h")
        let job = try #require(report.job("report"))
        #expect(job.stats.skipped == [.quietHours("backup"): 5])
        #expect(job.stats.runs == 6)
        #expect(report.findings.contains { $0.text == "quiet hours 'backup' skipped 5 runs of report (until 00:30 each time)" })
    }

    @Test("a type limit too low for its jobs is named with the wait it causes")
    func contendedType() throws {
        let report = try Harness.simulate(
            """
            [daemon]
            max_concurrency = 8
            [types.batch]
            max_concurrency = 1
            [[job]]
            id = "batch_a"
            type = "batch"
            cron = "0 * * * *"
            duration = "10s"
            [[job]]
            id = "batch_b"
            type = "batch"
            cron = "0 * * * *"
            duration = "10s"
            [[job]]
            id = "batch_c"
            type = "batch"
            cron = "0 * * * *"
            duration = "10s"
            """, duration: "3h")
        let batch = try #require(report.type("batch"))
        // At 00:00 (a cron slot at the start instant counts), 01:00 and 02:00 (03:00 is the next window's): three
        // runs at once for one slot: they wait 0, 10 and 20 s. All three are queued for an instant first.
        #expect(batch.stats.runs == 9)
        #expect(batch.stats.queueWaitMs.p99 == 20_000)
        #expect(batch.stats.peakQueueDepth == 3)
        #expect(batch.utilization == 90_000.0 / (3 * 3_600_000))
        let finding = try #require(report.findings.first { $0.kind == .typeContention })
        #expect(
            finding.text
                == "batch jobs waited p99 20s for a slot: max_concurrency 1 is too low for 3 batch jobs "
                + "(runs queued behind the only batch slot busy for 1m 0s of 3h; peak queue 3)")
        #expect(!report.findings.contains { $0.kind == .globalContention })
    }

    @Test("too few global slots is named as the cause when no type limit is involved")
    func contendedGlobally() throws {
        let report = try Harness.simulate(
            """
            [daemon]
            max_concurrency = 1
            [[job]]
            id = "a"
            cron = "*/10 * * * *"
            duration = "30s"
            [[job]]
            id = "b"
            cron = "*/10 * * * *"
            duration = "30s"
            """, duration: "1h")
        let finding = try #require(report.findings.first { $0.kind == .globalContention })
        #expect(finding.text.hasPrefix("runs waited p99 30s for a slot: [daemon] max_concurrency 1 is too low for 2 jobs"))
        // Slots at 00:00 … 00:50: twelve runs of 30 s on one slot.
        #expect(report.utilization == 360_000.0 / 3_600_000)
    }

    @Test("--failure-rate overrides a job's failure rate through the engine's chaos input")
    func failureRateOverride() throws {
        let config = """
            [[job]]
            id = "steady"
            type = "sync"
            interval = "10s"
            duration = "1s"
            [[job]]
            id = "other"
            type = "sync"
            interval = "10s"
            duration = "1s"
            """
        let plain = try Harness.simulate(config, duration: "10m")
        #expect(plain.total.failures == 0)

        let (report, events) = try Harness.simulateCollecting(
            config, duration: "10m", failureRates: [FailureRateOverride(target: "steady", rate: 1)])
        let steady = try #require(report.job("steady"))
        #expect(steady.stats.failures == steady.stats.runs - steady.stats.unfinished)
        #expect(steady.stats.successes == 0)
        #expect(report.job("other")?.stats.failures == 0)
        #expect(events.first?.status == .chaos && events.first?.jobId == "steady")
        #expect(report.findings.contains { $0.text.hasPrefix("steady ended FAILED in 100% of runs") && $0.text.hasSuffix("(--failure-rate steady=1.0)") })

        // A cron slot at the very start instant already runs with the override.
        let atStart = try Harness.simulate(
            """
            [[job]]
            id = "hourly"
            cron = "0 * * * *"
            duration = "1s"
            """, duration: "2h", failureRates: [FailureRateOverride(target: "hourly", rate: 1)])
        #expect(atStart.job("hourly")?.stats.failures == 2)

        // A type override covers every job of the type; a job's own override wins over it in any order.
        let typed = try Harness.simulate(
            config, duration: "10m",
            failureRates: [FailureRateOverride(target: "steady", rate: 0), FailureRateOverride(target: "sync", rate: 1)])
        #expect(typed.job("steady")?.stats.failures == 0)
        #expect(typed.job("other")?.stats.successes == 0)
    }

    @Test("--failure-rate naming neither a job nor a type is refused with a suggestion")
    func unknownOverrideTarget() throws {
        #expect(throws: SimulationError.unknownFailureRateTarget("stedy", suggestion: "steady")) {
            try Harness.simulate(
                """
                [[job]]
                id = "steady"
                interval = "10s"
                """, duration: "1m", failureRates: [FailureRateOverride(target: "stedy", rate: 1)])
        }
        #expect(throws: SimulationError.invalidFailureRate("x=2")) { try FailureRateOverride(parsing: "x=2") }
        #expect(throws: SimulationError.invalidFailureRate("x")) { try FailureRateOverride(parsing: "x") }
        #expect(try FailureRateOverride(parsing: "a.b=0.25") == FailureRateOverride(target: "a.b", rate: 0.25))
    }

    @Test("a deadline shorter than the wait for a slot skips the run, and the finding gives the wait")
    func deadlineSkips() throws {
        let report = try Harness.simulate(
            """
            [daemon]
            max_concurrency = 1
            [[job]]
            id = "hog"
            cron = "0 * * * *"
            duration = "5m"
            priority = 9
            [[job]]
            id = "late"
            cron = "0 * * * *"
            duration = "1s"
            deadline = "1m"
            """, duration: "3h")
        let late = try #require(report.job("late"))
        // Slots at 00:00, 01:00 and 02:00; each time the hog holds the only slot for 5 minutes.
        #expect(late.stats.skipped == [.deadline: 3])
        #expect(late.stats.runs == 0)
        #expect(report.findings.contains { $0.kind == .deadline && $0.text.hasPrefix("late skipped 3 runs that did not start within deadline 1m of their slot") })
    }

    @Test("jobs with a command are simulated with their type's duration profile")
    func commandsBecomeProfiles() throws {
        let report = try Harness.simulate(
            """
            [[job]]
            id = "find"
            type = "cleanup"
            interval = "1m"
            command = ["/usr/bin/find", "/tmp"]
            """, duration: "1h")
        let find = try #require(report.job("find"))
        #expect(find.stats.successes == 59)
        #expect(find.stats.durationMs.max <= 300 && find.stats.durationMs.p50 >= 100)
    }

    @Test("triggered runs are counted as runs of the job they start")
    func triggeredRuns() throws {
        let report = try Harness.simulate(
            """
            [[job]]
            id = "source"
            interval = "1m"
            duration = "1s"
            failure_rate = 1.0
            on_failure = ["alert"]
            [[job]]
            id = "alert"
            duration = "100ms"
            """, duration: "10m")
        #expect(report.job("source")?.stats.failures == 9)
        #expect(report.job("alert")?.stats.slots == 0)
        #expect(report.job("alert")?.stats.runs == 9)
        #expect(report.job("alert")?.stats.successes == 9)
    }

    @Test("auto-pause and staleness are reported as findings")
    func autoPauseAndStaleness() throws {
        let report = try Harness.simulate(
            """
            [[job]]
            id = "broken"
            interval = "10m"
            duration = "1s"
            failure_rate = 1.0
            pause_after_failures = 2
            max_staleness = "30m"
            """, duration: "2h")
        #expect(report.job("broken")?.stats.runs == 2)
        #expect(report.findings.contains {
            $0.text == "broken was paused automatically at 2026-03-01T00:20:01.000Z after 2 consecutive failed runs; its later slots did not run"
        })
        #expect(report.findings.contains { $0.text == "broken went STALE 3 times: no successful run within max_staleness 30m" })
    }
}
