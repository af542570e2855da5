import Foundation
import OrkestronCore
import Testing

@testable import OrkestronConfig

/// What a loaded configuration resolves to: defaults, layering across files, and the engine's types.
@Suite("Configuration loading")
struct ConfigLoaderTests {
    /// The commented example shipped as /etc/orkestron/orkestron.toml loads without a single error.
    @Test("the repository's example configuration loads with no errors")
    func exampleConfiguration() throws {
        let configuration = try ConfigLoader.load(path: Harness.exampleConfigPath, environment: Harness.environment)
        #expect(configuration.files == [Harness.exampleConfigPath])
        #expect(configuration.warnings.isEmpty)
        #expect(configuration.jobs.map(\.id) == ["sync_001", "metrics_collect", "report_batch", "nightly_cleanup", "alert"])
        #expect(configuration.typeNames == ["sync", "cleanup", "metrics", "batch"])
        #expect(configuration.daemon == DaemonSettings(
            socketMode: 0o666, controlGroup: "orkestron", maxConcurrency: 8, timezone: "UTC", seed: 42,
            historyRetentionMs: 14 * 86_400_000, shutdownGraceMs: 30_000))
        #expect(configuration.engineSettings.typeConcurrency == ["sync": 4])
        #expect(configuration.engineSettings.seed == 42)
        #expect(configuration.engineSettings.quietHours == [
            QuietHours(
                name: "night", fromSecond: 22 * 3_600, toSecond: 6 * 3_600, days: [1, 2, 3, 4, 5],
                timeZone: "Europe/Berlin", types: ["cleanup", "batch"], jobs: nil, action: .defer)
        ])

        let sync = configuration.jobs[0]
        let curve = RetryPolicy(
            maxRetries: 3, backoff: .exponential, initialDelayMs: 2_000, multiplier: 2, maxDelayMs: 300_000, jitter: 0)
        #expect(sync == JobDefinition(
            id: "sync_001", type: "sync", schedule: .interval(everyMs: 3_000, offsetMs: 250), priority: 7,
            overlap: .skip, timeoutMs: 30_000, missed: .runAll, catchup: CatchupPolicy(max: 10, staggerMs: 30_000),
            jitterMs: 500, retry: curve,
            workload: .simulated(SimulatedWorkload(failureRate: 0.2, minDurationMs: 300, maxDurationMs: 900)),
            onFailure: ["alert"]))

        let cleanup = configuration.jobs[3]
        #expect(cleanup.schedule == .cron(try CronExpression(parsing: "30 3 * * *"), timeZone: "Europe/Berlin"))
        #expect(cleanup.priority == 1)
        #expect(cleanup.timeoutMs == 600_000)
        #expect(cleanup.onSuccess == ["report_batch"])
        #expect(cleanup.pauseAfterFailures == 5)
        #expect(cleanup.workload == .process(ProcessWorkload(
            command: ["/usr/bin/find", "/var/tmp", "-maxdepth", "1", "-name", "orkestron-*", "-mtime", "+7", "-delete"],
            workingDirectory: "/var/tmp", environment: ["LANG": "C.UTF-8"])))

        let report = configuration.jobs[2]
        #expect(report.schedule == .cron(try CronExpression(parsing: "*/15 * * * *"), timeZone: "UTC"))
        #expect(report.deadlineMs == 60_000)
        #expect(report.maxStalenessMs == Int64(26 * 3_600_000))
        #expect(report.workload == .simulated(SimulatedWorkload(minDurationMs: 5_000, maxDurationMs: 12_000)))
        #expect(configuration.jobs[4].schedule == .manual)
    }

    /// SPEC §3: a bare integer duration means milliseconds, so the original `interval = 3000` is 3 s.
    @Test("a bare integer interval is milliseconds")
    func bareIntegerInterval() throws {
        let job = try Harness.job("[[job]]\nid = \"a\"\ninterval = 3000\n")
        #expect(job.schedule == .interval(everyMs: 3_000, offsetMs: 0))
        #expect(try Harness.job("[[job]]\nid = \"a\"\ninterval = \"3s\"\n").schedule == job.schedule)
    }

    /// SPEC §8: without a `[defaults]` table a job gets no retries on a 2 s doubling curve capped at 5 min, no
    /// timeout, a 5 s kill grace, run_once, skip, and one run at a time.
    @Test("defaults without a [defaults] table match SPEC §8")
    func builtInDefaults() throws {
        let job = try Harness.job("[[job]]\nid = \"a\"\n")
        #expect(job.retry == RetryPolicy(
            maxRetries: 0, backoff: .exponential, initialDelayMs: 2_000, multiplier: 2.0, maxDelayMs: 300_000, jitter: 0))
        #expect(job.timeoutMs == nil)
        #expect(job.killGraceMs == 5_000)
        #expect(job.missed == .runOnce)
        #expect(job.overlap == .skip)
        #expect(job.effectiveMaxConcurrency == 1)
        #expect(job.priority == 0)
        #expect(job.jitterMs == 0)
        #expect(job.deadlineMs == nil)
        #expect(job.catchup == nil)
        #expect(job.pausedInitially == false)
        #expect(job.schedule == .manual)
        #expect(job.workload == .simulated(SimulatedWorkload(failureRate: 0, minDurationMs: 100, maxDurationMs: 500)))
    }

    /// `retry = N` is shorthand for `{ max_retries = N }` and keeps the backoff curve of `[defaults]`.
    @Test("retry = 3 keeps the [defaults] curve")
    func retryShorthand() throws {
        let text = """
            [defaults]
            retry = { max_retries = 1, backoff = "linear", initial_delay = "1s", multiplier = 3, max_delay = "1m", jitter = 0.25 }

            [[job]]
            id = "a"
            retry = 3

            [[job]]
            id = "b"
            retry = { initial_delay = "500ms" }

            [[job]]
            id = "c"
            """
        let jobs = try Harness.load(text).jobs
        let curve = RetryPolicy(
            maxRetries: 1, backoff: .linear, initialDelayMs: 1_000, multiplier: 3, maxDelayMs: 60_000, jitter: 0.25)
        var three = curve
        three.maxRetries = 3
        var faster = curve
        faster.initialDelayMs = 500
        #expect(jobs.map(\.retry) == [three, faster, curve])
        // Without [defaults], the shorthand keeps SPEC §8's curve: 2000 then 4000 ms.
        let plain = try Harness.job("[[job]]\nid = \"a\"\nretry = 2\n").retry
        #expect(plain == RetryPolicy(maxRetries: 2))
        #expect([plain.baseDelayMs(afterAttempt: 1), plain.baseDelayMs(afterAttempt: 2)] == [2_000, 4_000])
    }

    /// SPEC §8: simulated durations default to the type's profile; `duration` may be a range or a single value.
    @Test("simulated durations default to the type profile")
    func typeProfiles() throws {
        let text = """
            [[job]]
            id = "s"
            type = "sync"
            [[job]]
            id = "c"
            type = "cleanup"
            [[job]]
            id = "b"
            type = "batch"
            [[job]]
            id = "m"
            type = "metrics"
            [[job]]
            id = "o"
            type = "other"
            [[job]]
            id = "single"
            type = "batch"
            duration = "500ms"
            [[job]]
            id = "range"
            duration = "1s .. 2s"
            failure_rate = 1
            """
        let workloads = try Harness.load(text).jobs.map(\.workload)
        #expect(workloads == [
            .simulated(SimulatedWorkload(minDurationMs: 300, maxDurationMs: 900)),
            .simulated(SimulatedWorkload(minDurationMs: 100, maxDurationMs: 300)),
            .simulated(SimulatedWorkload(minDurationMs: 5_000, maxDurationMs: 30_000)),
            .simulated(SimulatedWorkload(minDurationMs: 10, maxDurationMs: 50)),
            .simulated(SimulatedWorkload(minDurationMs: 100, maxDurationMs: 500)),
            .simulated(SimulatedWorkload(minDurationMs: 500, maxDurationMs: 500)),
            .simulated(SimulatedWorkload(failureRate: 1, minDurationMs: 1_000, maxDurationMs: 2_000)),
        ])
    }

    /// Priority comes from the job, else its type, else `[defaults]`, else 0.
    @Test("priority falls back from job to type to defaults")
    func priorityPrecedence() throws {
        let text = """
            [defaults]
            priority = 2
            [types.sync]
            priority = 5
            [[job]]
            id = "own"
            type = "sync"
            priority = 9
            [[job]]
            id = "typed"
            type = "sync"
            [[job]]
            id = "plain"
            type = "batch"
            """
        #expect(try Harness.load(text).jobs.map(\.priority) == [9, 5, 2])
        #expect(try Harness.job("[[job]]\nid = \"a\"\n").priority == 0)
    }

    /// Drop-ins override `[daemon]` keys one by one (the later file wins), and add jobs and quiet hours.
    @Test("drop-ins override [daemon] keys and add jobs")
    func dropInOverrides() throws {
        let main = """
            [daemon]
            socket = "/run/a.sock"
            max_concurrency = 8
            seed = 1
            timezone = "Europe/Berlin"

            [[job]]
            id = "a"
            cron = "@hourly"
            """
        let first = """
            [daemon]
            max_concurrency = 2
            seed = 7
            """
        let second = """
            [daemon]
            seed = 9
            socket_mode = "0660"
            history_retention = "1d"
            shutdown_grace = 0

            [types.sync]
            max_concurrency = 3

            [[job]]
            id = "b"
            type = "sync"

            [[quiet_hours]]
            name = "lunch"
            from = "12:00"
            to = "13:30:15"
            jobs = ["a"]
            action = "skip"
            """
        let configuration = try Harness.load(main, dropIns: [("conf.d/10.toml", first), ("conf.d/20.toml", second)])
        #expect(configuration.daemon == DaemonSettings(
            socket: "/run/a.sock", socketMode: 0o660, maxConcurrency: 2, timezone: "Europe/Berlin", seed: 9,
            historyRetentionMs: 86_400_000, shutdownGraceMs: 0))
        #expect(configuration.engineSettings.maxConcurrency == 2)
        #expect(configuration.engineSettings.seed == 9)
        #expect(configuration.engineSettings.typeConcurrency == ["sync": 3])
        #expect(configuration.jobs.map(\.id) == ["a", "b"])
        #expect(configuration.files == ["orkestron.toml", "conf.d/10.toml", "conf.d/20.toml"])
        // The cron job and the quiet hours take the final [daemon].timezone.
        #expect(configuration.jobs[0].schedule == .cron(try CronExpression(parsing: "@hourly"), timeZone: "Europe/Berlin"))
        #expect(configuration.engineSettings.quietHours == [
            QuietHours(
                name: "lunch", fromSecond: 12 * 3_600, toSecond: 13 * 3_600 + 30 * 60 + 15, days: nil,
                timeZone: "Europe/Berlin", types: nil, jobs: ["a"], action: .skip)
        ])
    }

    /// A drop-in's `[defaults]` and `[types.X]` apply to the main file's jobs too, key by key.
    @Test("drop-in defaults apply to every job")
    func dropInDefaults() throws {
        let main = """
            [defaults]
            timeout = "1m"
            retry = { max_retries = 2, backoff = "fixed" }

            [[job]]
            id = "a"
            type = "sync"
            """
        let dropIn = """
            [defaults]
            retry = { initial_delay = "10s" }
            overlap = "queue"

            [types.sync]
            priority = 4
            """
        let job = try Harness.job(main, dropIns: [("conf.d/x.toml", dropIn)])
        #expect(job.timeoutMs == 60_000)
        #expect(job.overlap == .queue)
        #expect(job.priority == 4)
        #expect(job.retry == RetryPolicy(maxRetries: 2, backoff: .fixed, initialDelayMs: 10_000))
    }

    /// `load(path:)` reads `conf.d/*.toml` beside the main file in byte order, skipping hidden and other files.
    @Test("conf.d drop-ins are read in lexical order")
    func dropInDirectory() throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dropIns = directory.appendingPathComponent("conf.d")
        try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
        let main = directory.appendingPathComponent("orkestron.toml")
        try "[daemon]\nmax_concurrency = 1\n".write(to: main, atomically: true, encoding: .utf8)
        try "[daemon]\nmax_concurrency = 3\n".write(
            to: dropIns.appendingPathComponent("20-b.toml"), atomically: true, encoding: .utf8)
        try "[daemon]\nmax_concurrency = 2\n[[job]]\nid = \"x\"\n".write(
            to: dropIns.appendingPathComponent("10-a.toml"), atomically: true, encoding: .utf8)
        try "[daemon]\nmax_concurrency = 99\n".write(
            to: dropIns.appendingPathComponent("Z-upper.toml"), atomically: true, encoding: .utf8)
        try "not toml at all [".write(
            to: dropIns.appendingPathComponent(".hidden.toml"), atomically: true, encoding: .utf8)
        try "not toml at all [".write(
            to: dropIns.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let configuration = try ConfigLoader.load(path: main.path, environment: Harness.environment)
        // Byte order puts digits before upper case: 10-a, 20-b, then Z-upper, which wins.
        #expect(configuration.files == [
            main.path, dropIns.appendingPathComponent("10-a.toml").path,
            dropIns.appendingPathComponent("20-b.toml").path, dropIns.appendingPathComponent("Z-upper.toml").path,
        ])
        #expect(configuration.daemon.maxConcurrency == 99)
        #expect(configuration.jobs.map(\.id) == ["x"])
    }

    /// A broken drop-in is reported under its own path, and the main file's errors come first.
    @Test("errors in conf.d files name the drop-in")
    func dropInErrorsFromDisk() throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dropIns = directory.appendingPathComponent("conf.d")
        try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
        let main = directory.appendingPathComponent("orkestron.toml")
        try "[[job]]\nid = \"x\"\n".write(to: main, atomically: true, encoding: .utf8)
        try "\n[[job]]\nid = \"x\"\n".write(
            to: dropIns.appendingPathComponent("a.toml"), atomically: true, encoding: .utf8)
        do {
            _ = try ConfigLoader.load(path: main.path, environment: Harness.environment)
            Issue.record("expected a duplicate id error")
        } catch {
            #expect(error.description == "\(dropIns.path)/a.toml:3:1: error: duplicate job id \"x\" (first defined at \(main.path):2:1)")
        }
    }

    /// Without `[daemon].timezone` the host's zone is used; without `seed` it is nil and the engine gets 0.
    @Test("daemon defaults come from the host")
    func daemonDefaults() throws {
        let environment = LoadEnvironment(localTimeZone: "America/New_York", groupExists: { _ in true })
        let configuration = try ConfigLoader.load(
            sources: [ConfigSource(path: "a.toml", text: "[[job]]\nid = \"a\"\ncron = \"@daily\"\n")],
            environment: environment)
        #expect(configuration.daemon == DaemonSettings(timezone: "America/New_York"))
        #expect(configuration.daemon.seed == nil)
        #expect(configuration.engineSettings.seed == 0)
        #expect(configuration.engineSettings.maxConcurrency == 8)
        #expect(configuration.jobs[0].schedule == .cron(try CronExpression(parsing: "@daily"), timeZone: "America/New_York"))
        #expect(ZoneRules.named(LoadEnvironment.system.localTimeZone) != nil)
    }

    /// Every job-level key of SPEC §3 reaches the engine's definition.
    @Test("every job key resolves")
    func everyJobKey() throws {
        let text = """
            [[job]]
            id = "all.keys-1"
            type = "batch"
            interval = "1h30m"
            offset = "15m"
            retry = { max_retries = 4, backoff = "fixed", initial_delay = "10s", multiplier = 1.5, max_delay = "2m", jitter = 0.1 }
            priority = -3
            max_concurrency = 2
            overlap = "replace"
            timeout = "20m"
            kill_grace = "1s"
            missed = "run_all"
            deadline = "5m"
            jitter = "30s"
            paused = true
            on_success = ["other"]
            on_failure = ["other"]
            pause_after_failures = 3
            max_staleness = "7d"
            catchup = { max = 4, stagger = "1m" }
            command = ["/bin/sh", "-c", "exit 0", ""]
            working_directory = "/tmp"
            environment = { A = "1", "B.C" = "" }

            [[job]]
            id = "other"
            """
        let job = try Harness.load(text).jobs[0]
        #expect(job == JobDefinition(
            id: "all.keys-1", type: "batch", schedule: .interval(everyMs: 5_400_000, offsetMs: 900_000),
            priority: -3, maxConcurrency: 2, overlap: .replace, timeoutMs: 1_200_000, killGraceMs: 1_000,
            missed: .runAll, catchup: CatchupPolicy(max: 4, staggerMs: 60_000), deadlineMs: 300_000,
            jitterMs: 30_000,
            retry: RetryPolicy(
                maxRetries: 4, backoff: .fixed, initialDelayMs: 10_000, multiplier: 1.5, maxDelayMs: 120_000,
                jitter: 0.1),
            workload: .process(ProcessWorkload(
                command: ["/bin/sh", "-c", "exit 0", ""], workingDirectory: "/tmp", environment: ["A": "1", "B.C": ""])),
            pausedInitially: true, onSuccess: ["other"], onFailure: ["other"], pauseAfterFailures: 3,
            maxStalenessMs: 7 * 86_400_000))
    }

    /// A quiet-hours window accepts day names in any case and long form, and a TOML local time.
    @Test("quiet hours days and times")
    func quietHoursForms() throws {
        let text = """
            [[quiet_hours]]
            name = "weekend"
            from = 00:00:00
            to = "0:00"
            days = ["Sat", "SUNDAY"]
            types = ["batch"]
            """
        let window = try Harness.load(text).engineSettings.quietHours[0]
        #expect(window == QuietHours(
            name: "weekend", fromSecond: 0, toSecond: 0, days: [6, 0], timeZone: "UTC", types: ["batch"], action: .defer))
    }
}
