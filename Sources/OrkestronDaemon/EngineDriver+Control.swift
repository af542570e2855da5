import Foundation
import OrkestronConfig
import OrkestronCore
import OrkestronProtocol
import OrkestronStore

/// The mutating requests of the control protocol. Each returns only after what it changed is durable.
extension EngineDriver {
    /// Queues a manual run; with `wait`, returns when the run has ended, with its final status.
    func runNow(_ jobId: String, wait: Bool) async throws(RPCError) -> (runId: String, status: EventStatus?) {
        let runId: String
        do {
            runId = try engine.runNow(jobId, at: currentInstant(), into: &buffer)
        } catch {
            throw RPCError.notFound(error.description)
        }
        guard wait else {
            apply()
            return (runId, nil)
        }
        let waiter = RunWaiter()
        runWaiters[runId, default: []].append(waiter)
        apply()
        return (runId, await waiter.status)
    }

    func setPaused(_ paused: Bool, jobIds: [String], by who: String) throws(RPCError) -> [String] {
        let now = currentInstant()
        let changed: [String]
        do {
            changed =
                paused
                ? try engine.pause(jobIds, by: who, at: now, into: &buffer)
                : try engine.resume(jobIds, by: who, at: now, into: &buffer)
        } catch {
            throw RPCError.notFound(error.description)
        }
        apply()
        return changed
    }

    /// Resolves the `ids` / `type` / `all` selector of pause, resume and chaos.
    func select(ids: [String]?, type: String?, all: Bool) throws(RPCError) -> [String] {
        if all { return jobIdsInOrder }
        if let type {
            let matching = configuration.jobs.filter { $0.type == type }.map(\.id)
            guard !matching.isEmpty else { throw RPCError.notFound("no job has type \"\(type)\"") }
            return matching
        }
        guard let ids, !ids.isEmpty else { throw RPCError.invalidParams("give \"ids\", \"type\" or \"all\"") }
        for id in ids where !engine.hasJob(id) { throw RPCError.notFound("unknown job \"\(id)\"") }
        return ids
    }

    /// Cancels one run, or every active run of a job.
    func cancel(runId: String?, jobId: String?, store: Store) throws(RPCError) -> [String] {
        let now = currentInstant()
        if let runId {
            do {
                try engine.cancel(runId: runId, reason: "cancelled by request", at: now, into: &buffer)
            } catch {
                if let stored = try? store.run(id: runId) {
                    throw RPCError.conflict("run \"\(runId)\" already ended with \(stored.run.status)")
                }
                throw RPCError.notFound("unknown run \"\(runId)\"")
            }
            apply()
            return [runId]
        }
        guard let jobId else { throw RPCError.invalidParams("give \"runId\" or \"job\"") }
        do {
            let cancelled = try engine.cancel(jobId: jobId, reason: "cancelled by request", at: now, into: &buffer)
            apply()
            return cancelled
        } catch {
            throw RPCError.notFound(error.description)
        }
    }

    func setChaos(jobIds: [String], rate: Double?, forMs: Int64?, by who: String) throws(RPCError) -> [String] {
        do {
            let affected = try engine.setChaos(
                jobIds: jobIds, rate: rate, forMs: forMs, by: who, at: currentInstant(), into: &buffer)
            apply()
            return affected
        } catch {
            throw RPCError.notFound(error.description)
        }
    }

    /// Reloads the configuration file: validates first, then applies the difference. A broken configuration
    /// changes nothing and reports every diagnostic.
    func reload(store: Store) throws(RPCError) -> ReloadDiff {
        // The service manager sees the reload start and end (READY=1 in both outcomes: a broken file keeps
        // the running configuration, which is still ready).
        notifier.reloading()
        defer {
            sentStatus = statusLine()
            notifier.ready(status: sentStatus)
        }
        let loaded: Configuration
        do {
            loaded = try ConfigLoader.load(path: configPath)
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error }
            logger.error(
                "configuration reload failed; keeping the running configuration",
                metadata: ["errors": "\(errors.count)", "first": "\(errors.first?.description ?? "")"])
            throw RPCError(
                code: RPCError.invalidConfigurationCode,
                message: "invalid configuration: " + (errors.first?.description ?? "unknown error"),
                data: .object([("diagnostics", .array(error.diagnostics.map(\.json)))]))
        }
        var next = loaded
        next.engineSettings.seed = configuration.engineSettings.seed
        let diff = engine.reload(
            jobs: next.jobs, settings: next.engineSettings, at: currentInstant(), into: &buffer)
        for job in next.jobs {
            metrics.setType(job.type, for: job.id)
            jobTypes[job.id] = job.type
        }
        jobIdsInOrder = engine.jobIds
        if next.daemon.socket != configuration.daemon.socket || next.daemon.stateDir != configuration.daemon.stateDir {
            logger.warning("socket and state_dir changes take effect at the next restart")
        }
        configuration = next
        apply()
        try? store.saveDefinitions(next.jobs.map(StoredDefinition.init(definition:)))
        logger.info(
            "configuration reloaded",
            metadata: [
                "added": "\(diff.added.count)", "removed": "\(diff.removed.count)",
                "changed": "\(diff.changed.count)", "unchanged": "\(diff.unchanged.count)",
            ])
        return diff
    }
}

extension StoredDefinition {
    /// The definition as stored for change detection: its JSON and a stable hash of that JSON.
    init(definition: JobDefinition) {
        let json = definition.json(revealEnvironment: true).serialized
        self.init(jobId: definition.id, hash: String(StableHash.fnv1a64(json), radix: 16), json: json)
    }
}
