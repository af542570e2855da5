import Foundation
import OrkestronCore
import OrkestronMetrics
import OrkestronProtocol
import OrkestronStore

/// The read-only requests of the control protocol, answered from the engine's state.
extension EngineDriver {
    func status(version: String) -> JSONValue {
        let now = WallClock.now()
        return .object([
            ("version", .string(version)),
            ("pid", .int(Int64(getpid()))),
            ("startedAt", .string(startedAt.iso8601UTC)),
            ("uptimeMs", .int(now.milliseconds(since: startedAt))),
            ("configPaths", JSONValue(configuration.files)),
            ("protocol", .int(Int64(ProtocolInfo.version))),
            ("jobs", .int(Int64(engine.jobIds.count))),
            ("running", .int(Int64(engine.runningCount))),
            ("queued", .int(Int64(engine.queuedCount))),
            ("paused", .int(Int64(engine.pausedCount))),
            ("slots", .int(Int64(engine.settings.maxConcurrency))),
            ("seed", .int(Int64(bitPattern: engine.settings.seed))),
            ("draining", .bool(engine.isDraining)),
        ])
    }

    func listJobs(type: String?, state: String?) -> JSONValue {
        var rows: [JSONValue] = []
        for id in engine.jobIds {
            guard let job = engine.inspect(id) else { continue }
            if let type, job.definition.type != type { continue }
            if let state, job.state.rawValue != state { continue }
            rows.append(summary(job))
        }
        return .array(rows)
    }

    func summary(_ job: JobInspection) -> JSONValue {
        var lastRun: JSONValue = .null
        if let last = job.lastFinished {
            lastRun = .object([
                ("runId", .string(last.runId)), ("status", .string(last.status.rawValue)),
                ("finishedAt", .string(last.at.iso8601UTC)),
            ])
        }
        return .object([
            ("id", .string(job.jobId)),
            ("type", JSONValue(job.definition.type)),
            ("schedule", .string(job.definition.scheduleSummary)),
            ("state", .string(job.state.rawValue)),
            ("paused", .bool(job.paused)),
            ("priority", .int(Int64(job.definition.priority))),
            ("running", .int(Int64(job.jobLimit.running))),
            ("lastRun", lastRun),
            ("nextRun", job.paused ? .null : JSONValue(job.nextDue?.iso8601UTC)),
        ])
    }

    func job(_ id: String, revealEnvironment: Bool, store: Store) throws(RPCError) -> JSONValue {
        guard let job = engine.inspect(id) else { throw RPCError.notFound("unknown job \"\(id)\"") }
        let recent = (try? store.lastRuns(job: id, limit: 10)) ?? []
        return .object([
            ("definition", job.definition.json(revealEnvironment: revealEnvironment)),
            ("state", summary(job)),
            ("pausedBy", JSONValue(job.pausedBy)),
            ("pausedAt", JSONValue(job.pausedAt?.iso8601UTC)),
            ("consecutiveFailures", .int(Int64(job.consecutiveFailures))),
            ("lastSuccess", JSONValue(job.lastSuccess?.iso8601UTC)),
            ("activeRuns", .array(job.activeRuns.map(Self.json))),
            ("recentRuns", Self.encode(recent)),
        ])
    }

    static func json(_ run: JobInspection.ActiveRun) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("runId", .string(run.runId)), ("attempt", .int(Int64(run.attempt))),
            ("trigger", .string(run.trigger.rawValue)), ("slot", .string(run.slot.iso8601UTC)),
        ]
        switch run.phase {
        case .queued: members.append(("phase", "queued"))
        case .held: members.append(("phase", "held"))
        case .running(let since):
            members += [("phase", "running"), ("since", .string(since.iso8601UTC))]
        case .stopping(let since, let reason):
            members += [("phase", "stopping"), ("since", .string(since.iso8601UTC)), ("reason", .string(reason))]
        case .retryWait(let until):
            members += [("phase", "retrying"), ("until", .string(until.iso8601UTC))]
        case .deferred(let until, let window):
            members += [("phase", "deferred"), ("until", .string(until.iso8601UTC)), ("window", .string(window))]
        }
        return .object(members)
    }

    /// Why the job is in its state, as reasons with times (SPEC §5 `jobs.explain`).
    func explain(_ id: String) throws(RPCError) -> JSONValue {
        guard let job = engine.inspect(id) else { throw RPCError.notFound("unknown job \"\(id)\"") }
        var reasons: [JSONValue] = []
        func add(_ text: String, at time: Instant? = nil) {
            reasons.append(.object([("time", JSONValue(time?.iso8601UTC)), ("text", .string(text))]))
        }
        if job.paused {
            let why = job.pauseReason.map { " (\($0))" } ?? ""
            add("paused by \(job.pausedBy ?? "unknown")\(why); scheduled slots do not run, manual runs still can", at: job.pausedAt)
        }
        if job.isDraining { add("the daemon is shutting down: no new attempt starts") }
        for run in job.activeRuns {
            switch run.phase {
            case .running(let since):
                add("run \(run.runId) attempt \(run.attempt) is running", at: since)
            case .stopping(let since, let reason):
                add("run \(run.runId) is being stopped (\(reason))", at: since)
            case .retryWait(let until):
                add("run \(run.runId) is backing off after attempt \(run.attempt) failed; next attempt at \(until.iso8601UTC)", at: until)
            case .deferred(let until, let window):
                add("run \(run.runId) is deferred by quiet hours '\(window)' until \(until.iso8601UTC)", at: until)
            case .held:
                add("run \(run.runId) is queued but held while the job is paused", at: run.queuedAt)
            case .queued:
                add("run \(run.runId) is waiting for a slot: " + waitingReason(job), at: run.queuedAt)
            }
        }
        if let next = job.nextDue, !job.paused {
            add("next slot \(next.iso8601UTC) (\(job.definition.scheduleSummary))", at: next)
        } else if job.nextDue == nil {
            add("no scheduled slot (\(job.definition.scheduleSummary))")
        }
        if let last = job.lastFinished {
            add("last run \(last.runId) ended \(last.status.rawValue)", at: last.at)
        }
        if let rate = job.chaosRate { add("failure injection active: failure rate \(rate)") }
        return .object([("id", .string(id)), ("state", .string(job.state.rawValue)), ("reasons", .array(reasons))])
    }

    private func waitingReason(_ job: JobInspection) -> String {
        if job.jobLimit.isFull {
            return "\(job.jobLimit.running) of \(job.jobLimit.limit ?? 0) runs of this job busy (\(job.jobLimit.holders.joined(separator: ", ")))"
        }
        if job.typeLimit.isFull {
            return "\(job.typeLimit.running) of \(job.typeLimit.limit ?? 0) \(job.definition.type ?? "") slots busy (\(job.typeLimit.holders.joined(separator: ", ")))"
        }
        if job.globalLimit.isFull {
            return "\(job.globalLimit.running) of \(job.globalLimit.limit ?? 0) daemon slots busy (\(job.globalLimit.holders.joined(separator: ", ")))"
        }
        return "runs of higher priority or earlier slots go first"
    }

    func next(_ id: String, count: Int) throws(RPCError) -> JSONValue {
        guard engine.inspect(id) != nil else { throw RPCError.notFound("unknown job \"\(id)\"") }
        let planned = engine.upcoming(id, count: count)
        return .array(planned.map { slot in
            var members: [(String, JSONValue)] = [
                ("slot", .string(slot.slot.iso8601UTC)), ("earliest", .string(slot.earliest.iso8601UTC)),
                ("latest", .string(slot.latest.iso8601UTC)), ("paused", .bool(slot.paused)),
            ]
            if let quiet = slot.quietHours {
                members.append(("quietHours", .object([
                    ("name", .string(quiet.name)), ("action", .string(quiet.action.rawValue)),
                    ("until", .string(quiet.until.iso8601UTC)),
                ])))
            }
            return .object(members)
        })
    }

    func metricsSnapshot(job: String?, type: String?) -> JSONValue {
        Self.encode(metrics.snapshot(at: WallClock.now(), job: job, type: type))
    }

    /// Encodes a store record or a metrics snapshot (Codable, camelCase) as a JSON value.
    static func encode(_ value: some Encodable) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONValue.parse(data) else { return .null }
        return json
    }
}
