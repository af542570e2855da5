import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What survives a restart of the daemon, graceful or not.
@Suite("persistence across restarts")
struct PersistenceTests {
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "ticker"
        interval = "300ms"
        duration = "50ms"

        [[job]]
        id = "other"
        duration = "50ms"
        """

    /// The job `ticker` is paused; `other` is not.
    static func expectTickerPaused(_ daemon: DaemonProcess) async throws {
        let job = try await daemon.call("jobs.get", .object(["id": "ticker"]))
        #expect(job["state"]?["paused"] == .bool(true), "\(job["state"]?.compact ?? "")")
        #expect(job["pausedBy"]?.stringValue?.isEmpty == false)
        let list = try #require(try await daemon.call("jobs.list").arrayValue)
        let paused = Dictionary(uniqueKeysWithValues: list.compactMap { row in
            row["id"]?.stringValue.map { ($0, row["paused"]?.boolValue) }
        })
        #expect(paused == ["ticker": true, "other": false])
        let status = try await daemon.call("daemon.status")
        #expect(status["paused"] == .int(1))
    }

    /// A pause acknowledged before SIGTERM is still in force after the restart, and SIGTERM exits 0.
    @Test("a pause survives SIGTERM and a restart")
    func pauseSurvivesGracefulRestart() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let answer = try await daemon.call("jobs.pause", .object(["ids": ["ticker"]]))
            #expect(answer["changed"]?.strings == ["ticker"])
            let firstPid = daemon.pid
            let status = try await daemon.stop()
            #expect(status == 0, "SIGTERM ends with exit status 0")
            #expect(daemon.log.contains("orkestrond stopped"))
            try await daemon.restart()
            #expect(daemon.pid != firstPid)
            try await Self.expectTickerPaused(daemon)
        }
    }

    /// A pause acknowledged before kill -9 is still in force after the restart, and the paused job starts no
    /// scheduled run.
    @Test("a pause survives kill -9")
    func pauseSurvivesKill9() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            _ = try await daemon.call("jobs.pause", .object(["ids": ["ticker"]]))
            try await daemon.kill9()
            try await daemon.restart()
            try await Self.expectTickerPaused(daemon)

            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["ticker"]]))
                try await Task.sleep(for: .milliseconds(1_000))
                #expect(
                    !log.events.contains { $0.status == "SCHEDULED" || $0.status == "RUNNING" },
                    "a paused job started a scheduled run: \(log.events.map(\.compact))")
                let resumed = try await client.call("jobs.resume", .object(["ids": ["ticker"]]))
                #expect(resumed["changed"]?.strings == ["ticker"])
                try await log.first("a run after resuming") { $0.status == "SUCCESS" }
            }
        }
    }

    /// Slots that fell while the daemon was down belong to the pause: the paused job gets neither SCHEDULED /
    /// SKIPPED records nor a held catch-up run for them, and its state stays `paused`.
    @Test("a paused job gets no catch-up run for slots missed while the daemon was down")
    func missedSlotsOfPausedJob() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let paused = try await daemon.call("jobs.pause", .object(["ids": ["ticker"]]))
            #expect(paused["changed"]?.strings == ["ticker"])
            try await daemon.stop()
            // Let a few 300 ms slots pass while the daemon is down.
            try await Task.sleep(for: .milliseconds(1_000))
            try await daemon.restart()
            let job = try await daemon.call("jobs.get", .object(["id": "ticker"]))
            #expect(job["state"]?["state"] == "paused", "\(job["state"]?.compact ?? "")")
            #expect(job["activeRuns"]?.arrayValue?.isEmpty == true, "\(job["activeRuns"]?.compact ?? "")")
            let pausedAt = try #require(job["pausedAt"]?.stringValue)
            let runs = try #require(try await daemon.call("runs.list", .object(["job": "ticker"])).arrayValue)
            let afterPause = runs.filter { ($0["createdAt"]?.stringValue ?? "") > pausedAt }
            #expect(afterPause.isEmpty, "runs created while paused: \(afterPause.map(\.compact))")
        }
    }

    /// A daemon with a running `sleep 30` and `shutdown_grace = "500ms"`.
    ///
    /// The `tick` job keeps the engine's timer loop waking up; without it, SIGTERM is noticed only at the
    /// loop's next wake-up (see `idleShutdown`).
    static let shutdownConfig = """
        [daemon]
        seed = 1
        timezone = "UTC"
        shutdown_grace = "500ms"

        [[job]]
        id = "sleeper"
        command = ["/bin/sleep", "30"]
        kill_grace = "1s"

        [[job]]
        id = "tick"
        interval = "250ms"
        duration = "20ms"
        """

    /// Starts `sleeper`, stops the daemon with SIGTERM (expecting exit 0 well before the job's 30 s and no
    /// process left), restarts it and returns the run's `runs.get` answer.
    static func shutDownWhileSleeping(_ daemon: DaemonProcess) async throws -> JSONValue {
        let started = try await daemon.call("jobs.run", .object(["id": "sleeper"]))
        let runId = try #require(started["runId"]?.stringValue)
        let daemonPid = daemon.pid
        let sleeper = try await eventually("the sleeper process to run") {
            ProcessTable.children(of: daemonPid).first { $0.command == "sleep" }
        }
        daemon.track(group: sleeper.pid)
        let clock = ContinuousClock()
        let stopping = clock.now
        let status = try await daemon.stop(timeout: .seconds(20))
        #expect(status == 0, "SIGTERM ends with exit status 0")
        #expect(clock.now - stopping < .seconds(10), "the daemon waits about shutdown_grace, not for the 30 s job")
        #expect(ProcessTable.alive(inGroupOrSession: sleeper.pid).isEmpty, "the job's process outlived the daemon")
        try await daemon.restart()
        return try await daemon.call("runs.get", .object(["runId": .string(runId)]))
    }

    /// On SIGTERM, a run still active when `shutdown_grace` expires is cancelled (its process group stopped),
    /// the daemon exits 0, and the history shows the run CANCELLED.
    @Test("SIGTERM cancels a run still active after shutdown_grace and exits 0")
    func shutdownGrace() async throws {
        try await DaemonProcess.with(config: Self.shutdownConfig) { daemon in
            let detail = try await Self.shutDownWhileSleeping(daemon)
            #expect(detail["run"]?["status"] == "CANCELLED", "\(detail["run"]?.compact ?? "")")
            #expect(detail["run"]?["final"] == .bool(true))
            #expect(detail["events"]?.arrayValue?.statuses == ["QUEUED", "RUNNING", "CANCELLED"])
        }
    }

    /// SPEC §8: runs still active when `shutdown_grace` expires end CANCELLED with reason `shutdown`.
    @Test("a run cancelled at shutdown records the reason shutdown")
    func shutdownReason() async throws {
        try await DaemonProcess.with(config: Self.shutdownConfig) { daemon in
            let detail = try await Self.shutDownWhileSleeping(daemon)
            #expect(detail["run"]?["status"] == "CANCELLED")
            #expect(detail["run"]?["reason"] == "shutdown", "\(detail["run"]?.compact ?? "")")
        }
    }

    /// An idle daemon (manual jobs only, so no timer is due) stops promptly on SIGTERM with exit status 0.
    @Test("SIGTERM stops an idle daemon promptly with exit status 0")
    func idleShutdown() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "manual"
            duration = "50ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            let run = try await daemon.call("jobs.run", .object(["id": "manual", "wait": true]))
            #expect(run["status"] == "SUCCESS")
            let clock = ContinuousClock()
            let stopping = clock.now
            let status = try await daemon.stop(timeout: .seconds(70))
            #expect(status == 0)
            #expect(clock.now - stopping < .seconds(5), "SIGTERM took \(clock.now - stopping)")
        }
    }

    /// A real process's run that was RUNNING when the daemon was killed -9 is recorded INTERRUPTED on the next
    /// start (and, with no retries left, ends FAILED with the restart reason); earlier history is intact.
    @Test("a run cut by kill -9 is INTERRUPTED after restart and earlier history is intact")
    func interruptedRun() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "history"
            duration = "50ms"

            [[job]]
            id = "sleeper"
            command = ["/bin/sleep", "30"]
            """
        try await DaemonProcess.with(config: config) { daemon in
            var earlier: [String] = []
            for _ in 0..<2 {
                let done = try await daemon.call("jobs.run", .object(["id": "history", "wait": true]))
                earlier.append(try #require(done["runId"]?.stringValue))
            }
            let started = try await daemon.call("jobs.run", .object(["id": "sleeper"]))
            let runId = try #require(started["runId"]?.stringValue)
            let daemonPid = daemon.pid
            let sleeper = try await eventually("the sleeper process to run") {
                ProcessTable.children(of: daemonPid).first { $0.command == "sleep" }
            }
            _ = try await eventually("runs.get to show the run RUNNING") { () -> Bool? in
                let detail = try await daemon.call("runs.get", .object(["runId": .string(runId)]))
                return detail["run"]?["status"] == "RUNNING" ? true : nil
            }

            try await daemon.kill9()
            #expect(!ProcessTable.alive(inGroupOrSession: sleeper.pid).isEmpty, "kill -9 leaves the job's process")
            try await daemon.restart()
            _ = try await eventually("the restarted daemon to end the orphaned process") { () -> Bool? in
                ProcessTable.alive(inGroupOrSession: sleeper.pid).isEmpty ? true : nil
            }

            let detail = try await eventually("the interrupted run to be final") { () -> JSONValue? in
                let detail = try await daemon.call("runs.get", .object(["runId": .string(runId)]))
                return detail["run"]?["final"] == .bool(true) ? detail : nil
            }
            let statuses = detail["events"]?.arrayValue?.statuses ?? []
            #expect(statuses.contains("INTERRUPTED"), "\(statuses)")
            #expect(Array(statuses.prefix(2)) == ["QUEUED", "RUNNING"])
            #expect(statuses.last == "FAILED", "\(statuses)")
            #expect(detail["run"]?["status"] == "FAILED")
            #expect(detail["run"]?["final"] == .bool(true))
            #expect(detail["run"]?["reason"] == "interrupted by daemon restart")
            let attempts = detail["attempts"]?.arrayValue ?? []
            #expect(attempts.count == 1)
            #expect(attempts.first?["status"] == "INTERRUPTED")

            let history = try #require(try await daemon.call("runs.list", .object(["job": "history"])).arrayValue)
            #expect(history.compactMap(\.runId) == earlier.reversed(), "newest first, nothing lost")
            #expect(history.allSatisfy { $0.status == "SUCCESS" && $0["final"] == .bool(true) })

            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["sleeper"], "replay": 10]))
                let replayed = try await log.wait(for: "the replayed INTERRUPTED event") { events in
                    events.contains { $0.runId == runId && $0.status == "INTERRUPTED" }
                }
                let seqs = replayed.compactMap(\.seq)
                #expect(seqs == seqs.sorted())
            }
            let job = try await daemon.call("jobs.get", .object(["id": "sleeper"]))
            #expect(job["activeRuns"]?.arrayValue?.isEmpty == true)
        }
    }
}
