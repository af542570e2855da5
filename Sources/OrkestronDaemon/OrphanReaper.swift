import Foundation
import Logging
import OrkestronStore

/// Ends the job processes that a killed daemon left running, before the restarted engine schedules anything.
///
/// Two sources name them. The store's `process_group` rows, written as each job process starts and deleted
/// once it is reaped, give the process groups still unreaped when the daemon died; the leader's recorded start
/// time proves a live pid is still that leader and not a newer process that was given the recycled pid. And
/// every job process inherits `ORKESTRON_INSTANCE` (this state directory's id) and `ORKESTRON_RUN`, which finds a
/// process that left its group (`setsid` in a job script) and one started in the instant between the spawn
/// and its row being written. The supervisor starts a process only once its run's RUNNING event is on disk, so
/// a process found here always belongs to a run that the restore turns INTERRUPTED, or to one already ended.
///
/// Each group gets SIGTERM, and SIGKILL when it outlives its job's `kill_grace` (capped, so a restart is never
/// held up for long).
struct OrphanReaper {
    /// What a start-up pass did, for the summary line.
    struct Report: Sendable, Hashable {
        /// Recorded groups (or escaped processes) that were alive and ended.
        var groupsEnded = 0
        /// Processes in them.
        var processesEnded = 0
        /// Groups that outlived SIGTERM and its grace and needed SIGKILL.
        var killedAfterGrace = 0
        /// Recorded groups whose pid now belongs to another process, which was left alone.
        var spared = 0
        /// Processes that were still there after SIGKILL (another user's, say).
        var survivors = 0
    }

    /// The longest wait between SIGTERM and SIGKILL, whatever the job's `kill_grace`: the engine waits for it.
    static let maximumGraceMs: Int64 = 5_000
    /// How long to wait for SIGKILLed processes to be gone before reporting them.
    static let killWaitMs: Int64 = 2_000
    static let pollInterval: Duration = .milliseconds(20)

    /// This state directory's id, as the job processes carry it in `ORKESTRON_INSTANCE`.
    let instance: String
    /// Job id → `kill_grace` in milliseconds; jobs no longer configured get `defaultGraceMs`.
    let graceMs: [String: Int64]
    let defaultGraceMs: Int64
    let logger: Logger

    /// A set of processes ended together: a recorded group, or one process that left its group.
    private struct Target {
        var runId: String
        var jobId: String
        var attempt: Int?
        /// The process group to signal as a whole; nil for a process that left its job's group.
        var group: pid_t?
        /// The processes seen at the start, with their start times, so a recycled pid is never signalled.
        var members: [ProcessStat]

        func alive() -> [ProcessStat] {
            members.filter { ProcessStat.isRunning(pid: $0.pid, startTicks: $0.startTicks) }
        }
    }

    /// Ends what `records` and the processes of `interruptedRuns` (run id → job id) left alive.
    func reap(records: [ProcessGroupRecord], interruptedRuns: [String: String]) async -> Report {
        let own = getpid()
        let table = ProcessStat.all().filter { $0.isAlive && $0.pid != own }
        var report = Report()
        var targets: [Target] = []
        var claimed = Set<pid_t>()

        for record in records {
            let members = table.filter { $0.pgrp == record.pgid || $0.session == record.pgid }
            guard !members.isEmpty else { continue }
            guard isOriginal(record, members: members) else {
                report.spared += 1
                logger.info(
                    "left a recorded process group alone: its pid now belongs to another process",
                    metadata: metadata(record.runId, record.jobId, record.attempt, ["pgid": "\(record.pgid)"]))
                continue
            }
            let fresh = members.filter { !claimed.contains($0.pid) }
            claimed.formUnion(fresh.map(\.pid))
            targets.append(
                Target(
                    runId: record.runId, jobId: record.jobId, attempt: record.attempt, group: record.pgid,
                    members: fresh))
        }

        var runs = interruptedRuns
        for record in records where runs[record.runId] == nil { runs[record.runId] = record.jobId }
        if !runs.isEmpty {
            for process in table where !claimed.contains(process.pid) {
                guard let variables = ProcessStat.orkestronVariables(ofProcess: process.pid),
                    variables["ORKESTRON_INSTANCE"] == instance, let runId = variables["ORKESTRON_RUN"],
                    let jobId = runs[runId]
                else { continue }
                claimed.insert(process.pid)
                targets.append(
                    Target(
                        runId: runId, jobId: jobId, attempt: variables["ORKESTRON_ATTEMPT"].flatMap { Int($0) },
                        group: nil, members: [process]))
            }
        }
        guard !targets.isEmpty else { return report }

        for target in targets { signal(target, SIGTERM) }
        let grace = targets.map { min(graceMs[$0.jobId] ?? defaultGraceMs, Self.maximumGraceMs) }.max() ?? 0
        await waitUntilGone(targets, milliseconds: grace)

        for target in targets {
            let stubborn = !target.alive().isEmpty
            if stubborn {
                signal(target, SIGKILL)
                report.killedAfterGrace += 1
            }
            report.groupsEnded += 1
            report.processesEnded += target.members.count
            var details: Logger.Metadata = [
                "processes": "\(target.members.count)", "signal": "\(stubborn ? "SIGKILL" : "SIGTERM")",
            ]
            if let group = target.group {
                details["pgid"] = "\(group)"
            } else {
                details["pid"] = "\(target.members[0].pid)"
            }
            logger.warning(
                target.group == nil
                    ? "ended a process that a killed daemon left running outside its job's group"
                    : "ended a process group that a killed daemon left running",
                metadata: metadata(target.runId, target.jobId, target.attempt, details))
        }
        if report.killedAfterGrace > 0 {
            await waitUntilGone(targets, milliseconds: Self.killWaitMs)
        }
        for target in targets {
            for process in target.alive() {
                report.survivors += 1
                logger.error(
                    "a process left by a killed daemon is still running after SIGKILL",
                    metadata: metadata(target.runId, target.jobId, target.attempt, ["pid": "\(process.pid)"]))
            }
        }
        return report
    }

    /// Whether the live processes of a recorded group are the group the record names, and not a later group
    /// that reuses the number.
    ///
    /// A live leader proves it with its start time. Without one, a member carrying the run's variables proves
    /// it: while any member of a group lives, the kernel does not hand its number out as a pid again, so a group
    /// that still has one of the job's processes is the job's group, with every member in it.
    private func isOriginal(_ record: ProcessGroupRecord, members: [ProcessStat]) -> Bool {
        if let leader = members.first(where: { $0.pid == record.pgid }) {
            if let ticks = record.leaderStartTicks { return leader.startTicks == ticks }
            return carriesRun(leader.pid, record.runId)
        }
        return members.contains { carriesRun($0.pid, record.runId) }
    }

    private func carriesRun(_ pid: pid_t, _ runId: String) -> Bool {
        guard let variables = ProcessStat.orkestronVariables(ofProcess: pid) else { return false }
        return variables["ORKESTRON_INSTANCE"] == instance && variables["ORKESTRON_RUN"] == runId
    }

    /// Signals the target's group (while one of its original members lives, the number is still the group's)
    /// and each original member outside it (a session member that made its own group).
    private func signal(_ target: Target, _ signal: Int32) {
        let alive = target.alive()
        guard !alive.isEmpty else { return }
        if let group = target.group {
            kill(-group, signal)
            for process in alive where process.pgrp != group { kill(process.pid, signal) }
        } else {
            for process in alive { kill(process.pid, signal) }
        }
    }

    private func waitUntilGone(_ targets: [Target], milliseconds: Int64) async {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(milliseconds)
        while targets.contains(where: { !$0.alive().isEmpty }) && clock.now < deadline {
            try? await Task.sleep(for: Self.pollInterval)
        }
    }

    private func metadata(_ runId: String, _ jobId: String, _ attempt: Int?, _ more: Logger.Metadata) -> Logger.Metadata {
        var metadata = more
        metadata["run.id"] = "\(runId)"
        metadata["job.id"] = "\(jobId)"
        if let attempt { metadata["run.attempt"] = "\(attempt)" }
        return metadata
    }
}
