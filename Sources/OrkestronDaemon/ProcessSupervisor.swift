import Foundation
import Logging
import OrkestronCore
import ServiceLifecycle
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Starts and stops the real processes of jobs.
///
/// Each attempt runs in its own session (so its process group is the whole tree it spawns); timeout and
/// cancel send SIGTERM to the group and SIGKILL after the job's `kill_grace`. Output lines are logged with the
/// job's fields, stderr at warning. Every child task lives in the supervisor's task group, so shutdown waits
/// for the processes it stops.
final class ProcessSupervisor: Service, Sendable {
    enum Request: Sendable {
        case launch(ProcessLaunch)
        case terminate(ProcessTermination)
    }

    typealias ExitHandler = @Sendable (ProcessLaunch, ProcessOutcome) async -> Void

    private let requests: AsyncStream<Request>
    private let requestSink: AsyncStream<Request>.Continuation
    /// runId → process group of the running attempt.
    private let groups = Mutex<[String: pid_t]>([:])
    private let exitHandler = Mutex<ExitHandler?>(nil)
    private let logger: Logger
    /// Passed to every child as `ORKESTRON_INSTANCE`, so a restarted daemon can find its orphans.
    private let instance: String

    init(instance: String, logger: Logger) {
        self.instance = instance
        self.logger = logger
        (requests, requestSink) = AsyncStream.makeStream()
    }

    /// Where process ends are reported (the engine driver); set once before `run`.
    func onExit(_ handler: @escaping ExitHandler) {
        exitHandler.withLock { $0 = handler }
    }

    func submit(_ request: Request) {
        requestSink.yield(request)
    }

    /// Process groups of the attempts running now.
    var runningGroups: [pid_t] { groups.withLock { Array($0.values) } }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for await request in requests.cancelOnGracefulShutdown() {
                switch request {
                case .launch(let launch):
                    group.addTask { await self.execute(launch) }
                case .terminate(let termination):
                    group.addTask { await self.terminate(termination) }
                }
            }
            // Shutdown: the driver has already stopped what it could; nothing may outlive the daemon.
            for pgid in runningGroups { kill(-pgid, SIGKILL) }
        }
    }

    private func execute(_ launch: ProcessLaunch) async {
        let logger = self.logger.with(job: launch.jobId, run: launch.runId, attempt: launch.attempt)
        let outcome = await spawn(launch, logger: logger)
        groups.withLock { _ = $0.removeValue(forKey: launch.runId) }
        if let handler = exitHandler.withLock({ $0 }) {
            await handler(launch, outcome)
        }
    }

    private func spawn(_ launch: ProcessLaunch, logger: Logger) async -> ProcessOutcome {
        let workload = launch.workload
        guard let program = workload.command.first else { return ProcessOutcome(launchError: "empty command") }
        // The service manager's variables are the daemon's, not the job's: a job must not send sd_notify
        // messages or inherit the watchdog in the daemon's name.
        var environment: [Environment.Key: String?] = [
            "NOTIFY_SOCKET": nil, "WATCHDOG_USEC": nil, "WATCHDOG_PID": nil, "LISTEN_FDS": nil, "LISTEN_PID": nil,
            "LISTEN_FDNAMES": nil,
        ]
        for (key, value) in workload.environment {
            if let key = Environment.Key(rawValue: key) { environment[key] = value }
        }
        environment["ORKESTRON_JOB"] = launch.jobId
        environment["ORKESTRON_RUN"] = launch.runId
        environment["ORKESTRON_ATTEMPT"] = String(launch.attempt)
        environment["ORKESTRON_SCHEDULED_AT"] = launch.scheduledAt.iso8601UTC
        environment["ORKESTRON_INSTANCE"] = instance
        if let source = launch.triggeredBy {
            environment["ORKESTRON_TRIGGER_JOB"] = source.jobId
            environment["ORKESTRON_TRIGGER_RUN"] = source.runId
            environment["ORKESTRON_TRIGGER_STATUS"] = source.status.rawValue
        }
        var options = PlatformOptions()
        options.createSession = true
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(workload.command.dropFirst())),
                environment: .inherit.updating(environment),
                workingDirectory: workload.workingDirectory.map { FilePath($0) }, platformOptions: options,
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                self.groups.withLock { $0[launch.runId] = pid }
                logger.debug("process started", metadata: ["pid": "\(pid)"])
                await withTaskGroup(of: Void.self) { streams in
                    streams.addTask {
                        do {
                            for try await line in execution.standardOutput.strings() {
                                logger.info("\(Self.trimmed(line))", metadata: ["stream": "stdout"])
                            }
                        } catch {}
                    }
                    streams.addTask {
                        do {
                            for try await line in execution.standardError.strings() {
                                logger.warning("\(Self.trimmed(line))", metadata: ["stream": "stderr"])
                            }
                        } catch {}
                    }
                }
            }
            switch result.terminationStatus {
            case .exited(let code): return ProcessOutcome(exitCode: code)
            case .signaled(let signal): return ProcessOutcome(signal: signal)
            }
        } catch {
            return ProcessOutcome(launchError: "\(error)")
        }
    }

    private static func trimmed(_ line: String) -> String {
        var line = line
        while line.last == "\n" || line.last == "\r" { line.removeLast() }
        return line
    }

    /// SIGTERM to the attempt's process group, then SIGKILL after the grace period if it is still there.
    private func terminate(_ request: ProcessTermination) async {
        guard let pgid = groups.withLock({ $0[request.runId] }) else { return }
        logger.with(job: request.jobId, run: request.runId, attempt: request.attempt)
            .info("stopping process group", metadata: ["pgid": "\(pgid)", "reason": "\(request.reason)"])
        kill(-pgid, SIGTERM)
        try? await Task.sleep(for: .milliseconds(request.graceMs))
        // Still registered means some member still holds the attempt's output pipes: the group is alive and
        // its id cannot have been reused.
        if groups.withLock({ $0[request.runId] == pgid }) {
            kill(-pgid, SIGKILL)
        }
    }
}

extension Logger {
    /// A copy carrying a run's fields, which the log handlers map to `ORKESTRON_*` / `job=` fields.
    func with(job: String, run: String? = nil, attempt: Int? = nil) -> Logger {
        var logger = self
        logger[metadataKey: "job.id"] = "\(job)"
        if let run { logger[metadataKey: "run.id"] = "\(run)" }
        if let attempt { logger[metadataKey: "run.attempt"] = "\(attempt)" }
        return logger
    }
}
