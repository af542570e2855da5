import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Jobs with a `command`: real processes, their exit status, their environment and their cleanup.
@Suite("real processes")
struct ProcessTests {
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "ok"
        command = ["/bin/true"]

        [[job]]
        id = "exit3"
        command = ["/bin/sh", "-c", "exit 3"]

        [[job]]
        id = "tree_timeout"
        command = ["/bin/sh", "-c", "sleep 30 & sleep 30 & wait"]
        timeout = "2s"
        kill_grace = "1s"

        [[job]]
        id = "tree_cancel"
        command = ["/bin/sh", "-c", "sleep 30 & sleep 30 & wait"]
        kill_grace = "1s"

        [[job]]
        id = "envdump"
        command = ["/bin/sh", "-c", "env > env.txt"]
        working_directory = "@DIR@"
        environment = { GREETING = "hello world" }

        [[job]]
        id = "fails"
        command = ["/bin/sh", "-c", "exit 2"]
        on_failure = ["alert"]

        [[job]]
        id = "alert"
        command = ["/bin/sh", "-c", "env > alert-env.txt"]
        working_directory = "@DIR@"

        [[job]]
        id = "priority"
        command = ["/bin/sh", "-c", "cut -d ' ' -f 19 /proc/self/stat > priority.txt; grep 'Max nice' /proc/self/limits >> priority.txt"]
        working_directory = "@DIR@"
        """

    /// `KEY=value` lines of an `env` dump.
    static func variables(in path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }

    /// A command exiting 0 is SUCCESS with exit code 0 recorded on the run and its attempt.
    @Test("a command exiting 0 ends SUCCESS with exit code 0")
    func successfulCommand() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let result = try await daemon.call("jobs.run", .object(["id": "ok", "wait": true]))
            #expect(result["status"] == "SUCCESS")
            let runId = try #require(result["runId"]?.stringValue)
            let detail = try await daemon.call("runs.get", .object(["runId": .string(runId)]))
            #expect(detail["run"]?["status"] == "SUCCESS")
            #expect(detail["run"]?["exitCode"] == .int(0))
            #expect(detail["attempts"]?[0]?["exitCode"] == .int(0))
            #expect(detail["attempts"]?[0]?["signal"] == .null)
        }
    }

    /// A command exiting 3 is FAILED, and the exit code 3 is recorded on the run, its attempt and the event.
    @Test("a command exiting 3 ends FAILED with exit code 3 recorded")
    func failingCommand() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let result = try await daemon.call("jobs.run", .object(["id": "exit3", "wait": true]))
            #expect(result["status"] == "FAILED")
            let runId = try #require(result["runId"]?.stringValue)
            let detail = try await daemon.call("runs.get", .object(["runId": .string(runId)]))
            #expect(detail["run"]?["status"] == "FAILED")
            #expect(detail["run"]?["final"] == .bool(true))
            #expect(detail["run"]?["exitCode"] == .int(3))
            #expect(detail["attempts"]?[0]?["exitCode"] == .int(3))
            #expect(detail["attempts"]?[0]?["signal"] == .null)
            let failed = detail["events"]?.arrayValue?.first { $0.status == "FAILED" }
            #expect(failed?["exitCode"] == .int(3), "\(failed?.compact ?? "no FAILED event")")
        }
    }

    /// Starts `job`, waits until its shell and both sleeps run, and returns the run id and the process group.
    static func startTree(_ job: String, on daemon: DaemonProcess, client: ControlClient) async throws -> (String, pid_t) {
        let answer = try await client.call("jobs.run", .object(["id": .string(job)]))
        let runId = try #require(answer["runId"]?.stringValue)
        let daemonPid = daemon.pid
        let shell = try await eventually("the job's shell to start") {
            ProcessTable.children(of: daemonPid).first { $0.command == "sh" }
        }
        daemon.track(group: shell.pid)
        #expect(shell.pgrp == shell.pid, "the job runs in its own process group")
        #expect(shell.session == shell.pid, "the job runs in its own session")
        _ = try await eventually("both sleeps to start") {
            ProcessTable.alive(inGroupOrSession: shell.pid).filter { $0.command == "sleep" }.count == 2 ? true : nil
        }
        return (runId, shell.pid)
    }

    /// Waits (≤ 3 s after the run ended) until nothing of the process group is left.
    static func expectGroupGone(_ group: pid_t) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        var left = ProcessTable.alive(inGroupOrSession: group)
        while !left.isEmpty && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            left = ProcessTable.alive(inGroupOrSession: group)
        }
        #expect(left.isEmpty, "processes left behind: \(left.map { "\($0.pid) \($0.command) \($0.state)" })")
    }

    /// A process tree that outlives its timeout is stopped as a whole: TIMEOUT, and no member survives.
    @Test("a timed-out process tree ends TIMEOUT and leaves no process alive")
    func timeoutKillsTree() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["tree_timeout"]]))
                let (runId, group) = try await Self.startTree("tree_timeout", on: daemon, client: client)
                let ended = try await log.first("the TIMEOUT event") { $0.runId == runId && runEndingStatuses.contains($0.status ?? "") }
                #expect(ended.status == "TIMEOUT", "\(ended.compact)")
                try await Self.expectGroupGone(group)
                let detail = try await client.call("runs.get", .object(["runId": .string(runId)]))
                #expect(detail["run"]?["status"] == "TIMEOUT")
            }
        }
    }

    /// Cancelling a running process tree stops all of it: CANCELLED, and no member survives.
    @Test("a cancelled process tree ends CANCELLED and leaves no process alive")
    func cancelKillsTree() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            try await daemon.withClient { client in
                let log = try await EventLog.subscribe(client, .object(["jobs": ["tree_cancel"]]))
                let (runId, group) = try await Self.startTree("tree_cancel", on: daemon, client: client)
                let answer = try await client.call("runs.cancel", .object(["runId": .string(runId)]))
                #expect(answer["cancelled"]?.strings == [runId])
                let ended = try await log.first("the CANCELLED event") { $0.runId == runId && runEndingStatuses.contains($0.status ?? "") }
                #expect(ended.status == "CANCELLED", "\(ended.compact)")
                try await Self.expectGroupGone(group)
                let again = await #expect(throws: RPCError.self) {
                    try await client.call("runs.cancel", .object(["runId": .string(runId)]))
                }
                #expect(again?.code == -32002, "cancelling it again is a conflict")
            }
        }
    }

    /// The child gets ORKESTRON_JOB, ORKESTRON_RUN, ORKESTRON_ATTEMPT and ORKESTRON_SCHEDULED_AT, the job's
    /// `environment`, and runs in its `working_directory`.
    @Test("a process sees ORKESTRON_JOB and ORKESTRON_RUN in its environment")
    func environment() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let result = try await daemon.call("jobs.run", .object(["id": "envdump", "wait": true]))
            #expect(result["status"] == "SUCCESS")
            let runId = try #require(result["runId"]?.stringValue)
            let variables = try Self.variables(in: daemon.directory + "/env.txt")
            #expect(variables["ORKESTRON_JOB"] == "envdump")
            #expect(variables["ORKESTRON_RUN"] == runId)
            #expect(variables["ORKESTRON_ATTEMPT"] == "1")
            let scheduledAt = variables["ORKESTRON_SCHEDULED_AT"] ?? ""
            #expect(EventStreamTests.date(scheduledAt) != nil && scheduledAt.hasSuffix("Z"), "\(scheduledAt)")
            #expect(variables["GREETING"] == "hello world")
            #expect(variables["ORKESTRON_TRIGGER_JOB"] == nil, "a manual run has no trigger")
        }
    }

    /// With CAP_SYS_NICE (root's, unless a container took it) the daemon gives its engine thread nice -10 (the
    /// unit's LimitNICE gives it to the service's user), then lowers RLIMIT_NICE to 0: a job runs at the daemon's
    /// own nice value and cannot raise its priority.
    @Test("a process runs at the daemon's nice value, not the engine thread's, and cannot raise its priority")
    func jobPriority() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let own = try #require(ProcessTable.entry(pid: getpid())).nice
            let threads = ProcessTable.threads(of: daemon.pid)
            let engine = try #require(threads.first { $0.command == "orkd-engine" }, "no engine thread: \(threads)")
            #expect(engine.nice == (Capabilities.effective(Capabilities.sysNice) ? -10 : own), "the engine thread's nice value")
            let result = try await daemon.call("jobs.run", .object(["id": "priority", "wait": true]))
            #expect(result["status"] == "SUCCESS")
            let text = try String(contentsOfFile: daemon.directory + "/priority.txt", encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.first == "\(own)", "the job's nice value:\n\(text)")
            #expect(lines.last?.split(separator: " ").dropFirst(3).prefix(2) == ["0", "0"], "RLIMIT_NICE:\n\(text)")
        }
    }

    /// A job started by `on_failure` runs with ORKESTRON_TRIGGER_JOB, _RUN and _STATUS naming the failed run.
    @Test("a job started by on_failure sees the failed run in ORKESTRON_TRIGGER_*")
    func triggerEnvironment() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let failed = try await daemon.call("jobs.run", .object(["id": "fails", "wait": true]))
            #expect(failed["status"] == "FAILED")
            let failedRun = try #require(failed["runId"]?.stringValue)
            let alert = try await eventually("the on_failure run of alert to finish") { () -> JSONValue? in
                let runs = try await daemon.call("runs.list", .object(["job": "alert"]))
                return runs.arrayValue?.first { $0["final"] == .bool(true) }
            }
            #expect(alert.status == "SUCCESS")
            #expect(alert["trigger"] == "on_failure")
            #expect(alert["triggeredBy"]?["runId"]?.stringValue == failedRun)
            let variables = try Self.variables(in: daemon.directory + "/alert-env.txt")
            #expect(variables["ORKESTRON_JOB"] == "alert")
            #expect(variables["ORKESTRON_RUN"] == alert.runId)
            #expect(variables["ORKESTRON_TRIGGER_JOB"] == "fails")
            #expect(variables["ORKESTRON_TRIGGER_RUN"] == failedRun)
            #expect(variables["ORKESTRON_TRIGGER_STATUS"] == "FAILED")
        }
    }
}
