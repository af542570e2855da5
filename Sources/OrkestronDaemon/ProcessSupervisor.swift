import Foundation
import Logging
import OrkestronCore
import OrkestronStore
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
///
/// For crash safety, a process starts only once its run's RUNNING event is on disk (so a daemon killed at any
/// instant restarts knowing the run was running, and records it INTERRUPTED instead of quietly running it
/// again), and each process group is recorded in the store from its start until it is reaped, so a restarted
/// daemon can find and end what a killed one left (`OrphanReaper`).
final class ProcessSupervisor: Service, Sendable {
    enum Request: Sendable {
        case launch(ProcessLaunch)
        case terminate(ProcessTermination)
    }

    typealias ExitHandler = @Sendable (ProcessLaunch, ProcessOutcome) async -> Void

    private let requests: AsyncStream<Request>
    private let requestSink: AsyncStream<Request>.Continuation
    /// Where an attempt's process is: waiting for its RUNNING event to be durable (with a stop requested
    /// meanwhile, which must not be lost), or running as a process group.
    private enum Attempt: Sendable, Hashable {
        case starting(stop: ProcessTermination?)
        case running(pgid: pid_t)
    }

    /// runId → the attempt launched for it.
    private let attempts = Mutex<[String: Attempt]>([:])
    private let exitHandler = Mutex<ExitHandler?>(nil)
    private let logger: Logger
    /// Passed to every child as `ORKESTRON_INSTANCE`, so a restarted daemon can find its orphans.
    private let instance: String
    /// Makes the RUNNING event durable before a launch; its store records the process groups.
    private let writer: StoreWriter

    init(instance: String, writer: StoreWriter, logger: Logger) {
        self.instance = instance
        self.writer = writer
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
    var runningGroups: [pid_t] {
        attempts.withLock { attempts in
            attempts.values.compactMap { attempt in
                if case .running(let pgid) = attempt { pgid } else { nil }
            }
        }
    }

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
        // The driver queued the RUNNING event before submitting the launch; once it is committed, a kill -9 at
        // any later instant leaves a run that the restart records INTERRUPTED.
        attempts.withLock { $0[launch.runId] = .starting(stop: nil) }
        let committed: Bool
        do {
            try await writer.flush()
            committed = true
        } catch {
            committed = false
        }
        let outcome: ProcessOutcome
        if !committed {
            // The store failed and the daemon is stopping (exit 1): a process the store never saw start must not
            // run, or the restart could not know to end it.
            logger.error("process not started: its RUNNING event could not be stored")
            outcome = ProcessOutcome()
        } else if case .starting(let stop?) = attempts.withLock({ $0[launch.runId] }) {
            // Cancelled or timed out before it could start: nothing runs, and the attempt ends without a status.
            logger.info("process not started: stopped first", metadata: ["reason": "\(stop.reason)"])
            outcome = ProcessOutcome()
        } else {
            outcome = await spawn(launch, logger: logger)
        }
        attempts.withLock { _ = $0.removeValue(forKey: launch.runId) }
        // Committed with the run's end. Should the daemon die first, the row outlives the process: the next start
        // finds its group gone (or its pid reused) and skips it.
        writer.enqueue(processGroup: .clear(runId: launch.runId, attempt: launch.attempt))
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
                let stop = self.attempts.withLock { attempts -> ProcessTermination? in
                    defer { attempts[launch.runId] = .running(pgid: pid) }
                    if case .starting(let stop) = attempts[launch.runId] { return stop }
                    return nil
                }
                self.recordGroup(of: launch, pid: pid, logger: logger)
                logger.debug("process started", metadata: ["pid": "\(pid)"])
                await withTaskGroup(of: Void.self) { stopping in
                    // A stop requested while the process was being started applies now; once the outputs have
                    // closed, its wait for SIGKILL is cut short (the group is gone).
                    if let stop { stopping.addTask { await self.terminate(stop) } }
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
                    stopping.cancelAll()
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

    /// Queues the new process group's row, with the leader's start time that identifies it later.
    ///
    /// The child has exec'd by now (Subprocess waits for the exec), and it called setsid first, so its pid is
    /// its process group and session id. Should it have exited and been reaped already, its stat is gone (or the
    /// pid belongs to someone else, whose parent is not this daemon): the row is written without a start time,
    /// and a restart then only trusts processes carrying the run's variables.
    private func recordGroup(of launch: ProcessLaunch, pid: pid_t, logger: Logger) {
        let leader = ProcessStat.read(pid: pid).flatMap { $0.ppid == getpid() ? $0 : nil }
        if let leader, leader.pgrp != pid || leader.session != pid {
            logger.warning(
                "job process is not the leader of its own session",
                metadata: ["pid": "\(pid)", "pgid": "\(leader.pgrp)", "sid": "\(leader.session)"])
        }
        let record = ProcessGroupRecord(
            runId: launch.runId, attempt: launch.attempt, jobId: launch.jobId, pgid: pid,
            leaderStartTicks: leader?.startTicks, startedAt: WallClock.now())
        // Batched with the next events rather than a transaction of its own (see `StoreWriter.enqueue`); until
        // it is committed, as in the instant before, a restart finds the process by its run's variables.
        writer.enqueue(processGroup: .record(record))
    }

    private static func trimmed(_ line: String) -> String {
        var line = line
        while line.last == "\n" || line.last == "\r" { line.removeLast() }
        return line
    }

    /// SIGTERM to the attempt's process group, then SIGKILL after the grace period if it is still there.
    private func terminate(_ request: ProcessTermination) async {
        let running = attempts.withLock { attempts -> pid_t? in
            switch attempts[request.runId] {
            case .running(let pgid):
                return pgid
            case .starting:
                // Not started yet: `execute` skips the start, or the new process gets this stop at once.
                attempts[request.runId] = .starting(stop: request)
                return nil
            case nil:
                return nil
            }
        }
        guard let pgid = running else { return }
        logger.with(job: request.jobId, run: request.runId, attempt: request.attempt)
            .info("stopping process group", metadata: ["pgid": "\(pgid)", "reason": "\(request.reason)"])
        kill(-pgid, SIGTERM)
        try? await Task.sleep(for: .milliseconds(request.graceMs))
        // Still registered means some member still holds the attempt's output pipes: the group is alive and
        // its id cannot have been reused. Cancelled means the outputs have just closed: nothing to kill.
        if !Task.isCancelled && attempts.withLock({ $0[request.runId] == .running(pgid: pgid) }) {
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
