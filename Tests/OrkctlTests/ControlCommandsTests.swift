import Foundation
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The control commands of `orkctl`, run as the built binary against a real `orkestrond`.
@Suite("orkctl control commands", .serialized)
struct ControlCommandsTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "ok"
        type = "sync"
        command = ["/bin/true"]

        [[job]]
        id = "bad"
        type = "sync"
        command = ["/bin/sh", "-c", "exit 3"]

        [[job]]
        id = "slow"
        command = ["/bin/sh", "-c", "sleep 30"]
        kill_grace = "1s"
        """

    /// A private directory with a config, a running daemon and its socket; killed and removed by `stop`.
    final class Daemon {
        let directory: String
        let socket: String
        let configPath: String
        let process = Process()

        init(config: String = ControlCommandsTests.config) throws {
            var template = Array("/tmp/orkctl-test-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            guard made != nil else { throw CancellationError() }
            directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            socket = directory + "/d.sock"
            configPath = directory + "/orkestron.toml"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            process.executableURL = try ControlCommandsTests.binary("orkestrond")
            process.arguments = [
                "--config", configPath, "--state-dir", directory + "/state", "--socket", socket, "--log-target", "stderr",
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if try ControlCommandsTests.orkctl(["status", "--socket", socket]).status == 0 { return }
                usleep(50_000)
            }
            stop()
            Issue.record("orkestrond did not start")
            throw CancellationError()
        }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: directory)
        }

        func ctl(_ arguments: String...) throws -> Outcome {
            try ctl(arguments)
        }

        func ctl(_ arguments: [String]) throws -> Outcome {
            try ControlCommandsTests.orkctl(arguments + ["--socket", socket])
        }
    }

    static func binary(_ name: String) throws -> URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            Issue.record("\(name) not found next to the test executable: looked at \(candidates.map(\.path))")
            throw CancellationError()
        }
        return found
    }

    /// Starts orkctl with `arguments` (UTC, no colors), its output in pipes; for a command that runs on while
    /// the test acts. `orkctl(_:environment:)` waits for it instead.
    static func startOrkctl(
        _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
        let process = Process()
        process.executableURL = try binary("orkctl")
        process.arguments = arguments
        process.environment = ["TZ": "UTC", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"].merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, stdout, stderr)
    }

    static func orkctl(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let (process, stdout, stderr) = try startOrkctl(arguments, environment: environment)
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    @Test("run, pause/resume, cancel, reload, explain, history, trace and metrics against a real daemon")
    func againstDaemon() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }

        // run --wait: 0 on SUCCESS, 4 otherwise; plain run prints the run id.
        let ok = try daemon.ctl("run", "ok", "--wait")
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.stdout.contains("SUCCESS"))
        let okRun = String(ok.stdout.split(separator: " ").first ?? "")
        #expect(okRun.hasPrefix("ok-"))
        let bad = try daemon.ctl("run", "bad", "--wait")
        #expect(bad.status == 4, "\(bad)")
        let unknown = try daemon.ctl("run", "nope")
        #expect(unknown.status == 1)

        // Global options after the subcommand too.
        let jsonRun = try ControlCommandsTests.orkctl(["run", "ok", "--wait", "--json", "--socket", daemon.socket])
        #expect(jsonRun.status == 0, "\(jsonRun)")
        #expect(jsonRun.stdout.contains("\"runId\""))

        // pause / resume.
        let pause = try daemon.ctl("pause", "ok")
        #expect(pause.status == 0, "\(pause)")
        #expect(pause.stdout.contains("ok: paused"))
        #expect(try daemon.ctl("pause", "ok").stdout.contains("already paused"))
        let list = try daemon.ctl("list")
        #expect(list.stdout.split(separator: "\n").contains { $0.hasPrefix("ok ") && $0.contains("paused") }, "\(list.stdout)")
        let explain = try daemon.ctl("explain", "ok")
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("paused by"), "\(explain.stdout)")
        #expect(try daemon.ctl("resume", "--type", "sync").stdout.contains("ok: resumed"))
        #expect(try daemon.ctl("pause", "ok", "--all").status == 2)

        // cancel by job and by run id.
        let slow = try daemon.ctl("run", "slow")
        let slowRun = slow.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(slowRun.hasPrefix("slow-"))
        usleep(300_000)
        let cancel = try daemon.ctl("cancel", slowRun)
        #expect(cancel.status == 0, "\(cancel)")
        #expect(cancel.stdout.contains(slowRun))

        // history, trace, show, next.
        let history = try daemon.ctl("history", "ok")
        #expect(history.status == 0)
        #expect(history.stdout.contains(okRun) && history.stdout.contains("SUCCESS"), "\(history.stdout)")
        let trace = try daemon.ctl("trace", okRun)
        #expect(trace.status == 0)
        for status in ["QUEUED", "RUNNING", "SUCCESS"] { #expect(trace.stdout.contains(status), "\(trace.stdout)") }
        let show = try daemon.ctl("show", "bad")
        #expect(show.status == 0)
        #expect(show.stdout.contains("Recent runs") && show.stdout.contains("FAILED"), "\(show.stdout)")
        #expect(try daemon.ctl("next", "ok").status == 0)

        // metrics.
        let prometheus = try daemon.ctl("metrics", "--format", "prometheus")
        #expect(prometheus.status == 0)
        #expect(prometheus.stdout.contains("# TYPE orkestron_runs_total counter"))
        #expect(prometheus.stdout.contains("orkestron_runs_total{job=\"ok\",type=\"sync\",status=\"success\"}"), "\(prometheus.stdout)")
        #expect(try daemon.ctl("metrics").stdout.contains("P99"))

        // chaos.
        #expect(try daemon.ctl("chaos", "ok", "--failure-rate", "1", "--for", "30s").status == 0)
        #expect(try daemon.ctl("run", "ok", "--wait").status == 4)
        #expect(try daemon.ctl("chaos", "ok", "--failure-rate", "off").status == 0)
        #expect(try daemon.ctl("chaos", "ok", "--failure-rate", "2").status == 2)

        // watch: replayed events as JSON lines, then the daemon goes away: exit 3.
        let (watch, watchOut, watchErr) = try ControlCommandsTests.startOrkctl(
            ["watch", "--socket", daemon.socket, "--replay", "3", "--json"])
        usleep(500_000)

        // reload: a good file, then a broken one exits 78 with file:line:column.
        let reload = try daemon.ctl("reload")
        #expect(reload.status == 0, "\(reload)")
        #expect(reload.stdout.contains("unchanged"))
        try (ControlCommandsTests.config + "\n[[job]]\nid = \"x\"\ncommand = 5\n").write(
            toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let broken = try daemon.ctl("reload")
        #expect(broken.status == 78, "\(broken)")
        #expect(broken.stderr.contains("orkestron.toml:"), "\(broken.stderr)")

        daemon.stop()
        let watched = watchOut.fileHandleForReading.readDataToEndOfFile()
        let watchedErr = watchErr.fileHandleForReading.readDataToEndOfFile()
        watch.waitUntilExit()
        #expect(watch.terminationStatus == 3)
        #expect(String(decoding: watchedErr, as: UTF8.self).contains("closed"))
        let lines = String(decoding: watched, as: UTF8.self).split(separator: "\n")
        #expect(lines.count >= 3)
        #expect(lines.allSatisfy { $0.hasPrefix("{") })

        // No daemon: exit 3 naming the socket.
        let down = try daemon.ctl("status")
        #expect(down.status == 3)
        #expect(down.stderr.contains(daemon.socket))
        let downRun = try daemon.ctl("run", "ok")
        #expect(downRun.status == 3)
    }

    @Test("a stopped daemon: a call gives up after 30 s with exit 3 naming the socket; run --wait keeps waiting for its run")
    func stoppedDaemon() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        // SIGSTOP: the kernel still accepts connections and takes requests into the socket buffer; nothing answers.
        #expect(kill(pid, SIGSTOP) == 0)

        let (waiter, waiterOut, _) = try ControlCommandsTests.startOrkctl(["run", "ok", "--wait", "--socket", daemon.socket])
        defer { if waiter.isRunning { kill(waiter.processIdentifier, SIGKILL) } }

        let started = Date()
        let status = try daemon.ctl("status")
        let waited = Date().timeIntervalSince(started)
        #expect(status.status == 3, "\(status)")
        #expect(status.stderr.contains("no answer to daemon.status from orkestrond at \(daemon.socket) within 30 s"), "\(status.stderr)")
        #expect(waited >= 29 && waited < 60, "gave up after \(waited) s")
        // The waiter asked first: had it the same timeout, it would have ended by now.
        usleep(2_000_000)
        #expect(waiter.isRunning, "run --wait gave up on a run that had not ended")

        #expect(kill(pid, SIGCONT) == 0)
        let deadline = Date().addingTimeInterval(30)
        while waiter.isRunning && Date() < deadline { usleep(50_000) }
        #expect(!waiter.isRunning)
        if !waiter.isRunning {
            #expect(waiter.terminationStatus == 0)
            #expect(String(decoding: waiterOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("SUCCESS"))
        }
        #expect(try daemon.ctl("status").status == 0)
    }

    @Test("every control command prints one JSON document with --json, and a human form without it")
    func jsonAndHumanForms() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let okRun = try JSONValue.parse(try daemon.ctl("run", "ok", "--wait", "--json").stdout)
        #expect(okRun["status"]?.stringValue == "SUCCESS", "\(okRun)")
        let runId = okRun["runId"]?.stringValue ?? "?"
        let svg = daemon.directory + "/timeline.svg"
        let commands: [[String]] = [
            ["status"], ["list"], ["list", "--type", "sync"], ["show", "ok"], ["history"], ["history", "ok"],
            ["trace", runId], ["metrics"], ["metrics", "ok"], ["explain", "ok"], ["next", "ok"], ["pause", "ok"],
            ["resume", "ok"], ["chaos", "bad", "--failure-rate", "0.5"], ["reload"], ["timeline", "--last", "5m"],
            ["cancel", "slow"], ["run", "slow"],
        ]
        for command in commands {
            let json = try daemon.ctl(command + ["--json"])
            #expect(json.status == 0, "\(command) --json: \(json)")
            #expect(throws: Never.self, "\(command) --json is not one JSON document: \(json.stdout)") {
                try JSONValue.parse(json.stdout)
            }
            let human = try daemon.ctl(command)
            #expect(human.status == 0, "\(command): \(human)")
            #expect(!human.stdout.isEmpty && !human.stdout.hasPrefix("{") && !human.stdout.hasPrefix("["), "\(command): \(human.stdout)")
        }
        let chart = try daemon.ctl("timeline", "--last", "5m", "--svg", svg)
        #expect(chart.status == 0 && chart.stdout.contains("ok"), "\(chart)")
        let document = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(document.hasPrefix("<svg") && document.contains(">ok</text>"))

        // Errors: unknown job 1, bad flag 2, run --wait failing 4, each also with --json.
        #expect(try daemon.ctl("show", "nope", "--json").status == 1)
        #expect(try daemon.ctl("history", "--limit", "x").status == 2)
        #expect(try daemon.ctl("list", "--bogus").status == 2)
        #expect(try daemon.ctl("run", "bad", "--wait", "--json").status == 4)
    }

    @Test("metrics --format prometheus is accepted by prometheus_client's text parser")
    func prometheusParses() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        #expect(try daemon.ctl("run", "ok", "--wait").status == 0)
        #expect(try daemon.ctl("run", "bad", "--wait").status == 4)
        let exposition = try daemon.ctl("metrics", "--format", "prometheus")
        #expect(exposition.status == 0)
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                    print(f"{family.type} {sample.name} {labels} {sample.value}")
            """
        let parsed = try ControlCommandsTests.run("/usr/bin/env", ["python3", "-c", script], input: exposition.stdout)
        #expect(parsed.status == 0, "prometheus_client rejected the exposition (make deps installs it): \(parsed.stderr)")
        let lines = parsed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("counter orkestron_runs_total job=ok,status=success,type=sync 1"), "\(parsed.stdout)")
        #expect(lines.contains("counter orkestron_runs_total job=bad,status=failed,type=sync 1"), "\(parsed.stdout)")
        #expect(lines.contains { $0.hasPrefix("summary orkestron_run_duration_seconds job=ok,quantile=0.5,type=sync ") })
        #expect(lines.contains("gauge orkestron_failure_ratio job=bad,type=sync 1.0"), "\(parsed.stdout)")
        #expect(lines.contains("gauge orkestron_running job=slow 0"), "a job without a type has no type label: \(parsed.stdout)")
    }

    /// The ten-line client of docs/PROTOCOL.md, run as printed there: the documentation stays true.
    @Test("the example Python client in docs/PROTOCOL.md calls methods and follows events on a real daemon")
    func protocolDocumentClient() throws {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/PROTOCOL.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```python\n").dropFirst().first?
            .components(separatedBy: "```").first, "no ```python block in docs/PROTOCOL.md")
        #expect(block.split(separator: "\n").filter { !$0.hasPrefix("#") }.count <= 10, "the client grew past ten lines")
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = daemon.directory + "/orkestron-call.py"
        try block.write(toFile: client, atomically: true, encoding: .utf8)
        func call(_ arguments: String..., killAfter: Duration? = nil) throws -> Outcome {
            try Self.run(
                "/usr/bin/env", ["ORKESTRON_SOCKET=" + daemon.socket, "python3", client] + arguments, input: "",
                killAfter: killAfter)
        }

        let run = try call("jobs.run", #"{"id": "ok", "wait": true}"#)
        #expect(run.status == 0 && run.stdout.contains(#""status":"SUCCESS""#), "\(run)")
        let missing = try call("jobs.get", #"{"id": "nope"}"#)
        #expect(missing.stdout.contains(#""code":-32001"#), "\(missing)")
        // Following the stream: the subscription's answer, then the replayed events, until it is killed.
        let events = try call("events.subscribe", #"{"replay": 3}"#, killAfter: .seconds(3))
        let lines = events.stdout.split(separator: "\n")
        #expect(lines.first?.contains(#""subscribed":true"#) == true, "\(events)")
        #expect(lines.dropFirst().filter { $0.contains(#""method":"event""#) }.count >= 3, "\(events)")
    }

    @Test("shell completion scripts for bash, zsh and fish come from the parser and name every command")
    func completions() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try Self.orkctl(["--generate-completion-script", shell])
            #expect(script.status == 0)
            for command in ["list", "pause", "top", "timeline", "check-config"] {
                #expect(script.stdout.contains(command), "\(shell) completion lacks \(command)")
            }
        }
        let bash = try Self.orkctl(["--generate-completion-script", "bash"])
        let syntax = try Self.run("/bin/bash", ["-n"], input: bash.stdout)
        #expect(syntax.status == 0, "bash -n: \(syntax.stderr)")
    }

    /// Runs a program with `input` on its stdin.
    /// Runs a program to its end; with `killAfter`, SIGKILLs it then (the test runner's children inherit a signal
    /// mask that blocks SIGTERM and SIGALRM, so neither `timeout` nor a plain terminate would stop a follower).
    static func run(_ path: String, _ arguments: [String], input: String, killAfter: Duration? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        if let killAfter {
            let pid = process.processIdentifier
            let seconds = Double(killAfter.components.seconds) + Double(killAfter.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { _ = kill(pid, SIGKILL) }
        }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    @Test("check-config: summary and exit 0, or file:line:column diagnostics and exit 78")
    func checkConfig() throws {
        let directory = NSTemporaryDirectory() + "orkctl-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = directory + "/good.toml"
        try Self.config.write(toFile: good, atomically: true, encoding: .utf8)
        let valid = try Self.orkctl(["check-config", good])
        #expect(valid.status == 0, "\(valid)")
        #expect(!valid.stdout.isEmpty)
        let bad = directory + "/bad.toml"
        try "[daemon]\nseed = 1\n\n[[job]]\nid = \"x\"\ncommand = 5\nschedule = \"every banana\"\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        let invalid = try Self.orkctl(["check-config", bad])
        #expect(invalid.status == 78, "\(invalid)")
        #expect(invalid.stderr.contains("bad.toml:6:"), "\(invalid.stderr)")
        #expect(try Self.orkctl(["check-config", directory + "/missing.toml"]).status == 78)
        #expect(try Self.orkctl(["check-config", "--bogus"]).status == 2)
        let json = try Self.orkctl(["check-config", bad, "--json"])
        #expect(json.status == 78)
        let report = try JSONValue.parse(json.stdout)
        #expect(report["valid"] == .bool(false))
        #expect(report["diagnostics"]?.arrayValue?.first?["line"]?.intValue == 6, "\(json.stdout)")
    }
}
