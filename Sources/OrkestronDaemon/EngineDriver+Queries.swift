import Foundation
import OrkestronCore
import OrkestronMetrics
import OrkestronProtocol
import OrkestronStore

/// The read-only requests of the control protocol, answered from the engine's state.
extension EngineDriver {
    /// `connections`: the control connections open now (the limiter's count), shown beside the subscribers so
    /// an operator (and a test) can see clients come and go.
    func status(version: String, connections: Int) -> JSONValue {
        // Uptime in elapsed time, so setting the wall clock back cannot make it negative.
        let uptime = clock.read().elapsedMs - startReading.elapsedMs
        return .object([
            ("version", .string(version)),
            ("pid", .int(Int64(getpid()))),
            ("startedAt", .string(startedAt.iso8601UTC)),
            ("uptimeMs", .int(uptime)),
            ("configPaths", JSONValue(configuration.files)),
            ("protocol", .int(Int64(ProtocolInfo.version))),
            ("jobs", .int(Int64(engine.jobCount))),
            ("running", .int(Int64(engine.runningCount))),
            ("queued", .int(Int64(engine.queuedCount))),
            ("paused", .int(Int64(engine.pausedCount))),
            ("slots", .int(Int64(engine.settings.maxConcurrency))),
            ("seed", .int(Int64(bitPattern: engine.settings.seed))),
            ("draining", .bool(engine.isDraining)),
            ("chaos", .array(engine.activeChaos.map { .object([("job", .string($0.jobId)), ("failureRate", .double($0.rate))]) })),
            ("connections", .int(Int64(connections))),
            ("subscribers", .int(Int64(subscribers.count))),
        ])
    }

    /// What `jobs.list` reads, taken in constant time: the engine is a value, so the listing (10 ms of work with
    /// 1,000 jobs, which held up due runs under load) is built from this copy off the actor, and the engine pays
    /// only the copy-on-write of what it changes next.
    struct JobListing: Sendable {
        var engine: Engine
        var ids: [String]
        var types: [String: String]
    }

    func jobListing() -> JobListing {
        JobListing(engine: engine, ids: jobIdsInOrder, types: jobTypes)
    }

    /// The most jobs a listing builds on the actor rather than from a copy (`jobListing()`).
    static let smallListingJobs = 64

    /// The `jobs.list` answer for a type of at most `smallListingJobs` jobs, built here; nil for a larger one.
    ///
    /// A copy of the engine is cheap to take but not to keep: the engine's next change then copies every job's
    /// runtime state while the listing holds the old one, which under the load test (a `jobs.list {type}` or a
    /// job's `metrics.get` every few milliseconds) made turns of the timer loop last up to 18 ms, and the slots
    /// that fell due meanwhile start that late. Inspecting a few jobs costs the actor microseconds instead.
    func smallListing(type: String, state: String?) -> JSONValue? {
        let ids = jobIdsInOrder.filter { jobTypes[$0] == type }
        guard ids.count <= Self.smallListingJobs else { return nil }
        return Self.listJobs(JobListing(engine: engine, ids: ids, types: jobTypes), type: nil, state: state)
    }

    nonisolated static func listJobs(_ listing: JobListing, type: String?, state: String?) -> JSONValue {
        var rows: [JSONValue] = []
        // The type first, from the driver's own table (kept in id order since the start or the last reload), then
        // one inspection pass over what is left: inspecting every job to keep a few would cost a full listing for
        // each `jobs.list {type}`, and inspecting them one by one would find the slot holders again for every job
        // (quadratic in the job count).
        let ids = type.map { type in listing.ids.filter { listing.types[$0] == type } } ?? listing.ids
        for job in listing.engine.inspect(ids) {
            if let state, job.state.rawValue != state { continue }
            rows.append(summary(job))
        }
        return .array(rows)
    }

    nonisolated static func summary(_ job: JobInspection) -> JSONValue {
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

    /// `jobs.get` without its `recentRuns`, which the caller reads from the store and appends: a database read
    /// on the actor would hold up the engine for its duration.
    func job(_ id: String, revealEnvironment: Bool) throws(RPCError) -> [(String, JSONValue)] {
        guard let job = engine.inspect(id) else { throw RPCError.notFound("unknown job \"\(id)\"") }
        return [
            ("definition", job.definition.json(revealEnvironment: revealEnvironment)),
            ("state", Self.summary(job)),
            ("pausedBy", JSONValue(job.pausedBy)),
            ("pausedAt", JSONValue(job.pausedAt?.iso8601UTC)),
            ("consecutiveFailures", .int(Int64(job.consecutiveFailures))),
            ("lastSuccess", JSONValue(job.lastSuccess?.iso8601UTC)),
            ("activeRuns", .array(job.activeRuns.map(Self.json))),
        ]
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
        let zone = self.zone(of: job.definition)
        let now = clock.read().wall
        var reasons: [JSONValue] = []
        func add(_ text: String, at time: Instant? = nil) {
            reasons.append(.object([("time", JSONValue(time?.iso8601UTC)), ("text", .string(text))]))
        }
        func at(_ instant: Instant, in zone: ZoneRules) -> String { Self.clock(instant, in: zone, now: now) }
        if job.paused {
            let why = job.pauseReason.map { " (\($0))" } ?? ""
            let when = job.pausedAt.map { " at " + at($0, in: zone) } ?? ""
            add("paused by \(job.pausedBy ?? "unknown")\(when)\(why); scheduled slots do not run, manual runs still can", at: job.pausedAt)
        }
        if job.isDraining { add("the daemon is shutting down: no new attempt starts") }
        for run in job.activeRuns {
            switch run.phase {
            case .running(let since):
                add("run \(run.runId) attempt \(run.attempt) is running since \(at(since, in: zone))", at: since)
            case .stopping(let since, let reason):
                add("run \(run.runId) is being stopped (\(reason))", at: since)
            case .retryWait(let until):
                let failure = lastAttemptFailure[run.runId].map { " (\(Self.failureDetail($0)))" } ?? ""
                add("run \(run.runId) is backing off after attempt \(run.attempt) failed\(failure); next attempt at \(at(until, in: zone))", at: until)
            case .deferred(let until, let window):
                let windowZone = configuration.engineSettings.quietHours.first { $0.name == window }
                    .flatMap { ZoneRules.named($0.timeZone) } ?? zone
                add("run \(run.runId) is deferred by quiet hours '\(window)' until \(at(until, in: windowZone))", at: until)
            case .held:
                add("run \(run.runId) is queued but held while the job is paused", at: run.queuedAt)
            case .queued:
                add("run \(run.runId) is waiting for a slot: " + waitingReason(job), at: run.queuedAt)
            }
        }
        var skipped = ""
        if let skip = lastSkip[id], skip.slot == job.lastSlot {
            skipped = "; the slot at \(at(skip.slot, in: zone)) was skipped: \(skip.reason)"
        }
        if let next = job.nextDue, !job.paused {
            add("next slot \(at(next, in: zone)) (\(job.definition.scheduleSummary))\(skipped)", at: next)
        } else if job.nextDue == nil {
            add("no scheduled slot (\(job.definition.scheduleSummary))\(skipped)")
        }
        if let last = job.lastFinished {
            add("last run \(last.runId) ended \(last.status.rawValue) at \(at(last.at, in: zone))", at: last.at)
        }
        if let rate = job.chaosRate { add("failure injection active: failure rate \(rate) (orkctl chaos \(id) --failure-rate off clears it)") }
        return .object([("id", .string(id)), ("state", .string(job.state.rawValue)), ("reasons", .array(reasons))])
    }

    /// The zone a job's times are shown in: its cron zone, else the daemon's `timezone`.
    func zone(of definition: JobDefinition) -> ZoneRules {
        if case .cron(_, let name) = definition.schedule, let rules = ZoneRules.named(name) { return rules }
        return ZoneRules.named(configuration.daemon.timezone) ?? .utc
    }

    /// `09:14:05 Europe/Berlin`, with the date when it is not today's (in that zone).
    static func clock(_ instant: Instant, in zone: ZoneRules, now: Instant) -> String {
        let civil = zone.civil(at: instant)
        let today = zone.civil(at: now)
        var text = "\(hhmm(civil)):\(two(civil.second)) \(zone.identifier)"
        if (civil.year, civil.month, civil.day) != (today.year, today.month, today.day) {
            text = "\(civil.year)-\(two(civil.month))-\(two(civil.day)) " + text
        }
        return text
    }

    /// "exit 3", "signal 9", "timed out", or the failure's reason.
    static func failureDetail(_ event: Event) -> String {
        if let code = event.exitCode { return "exit \(code)" }
        if let signal = event.signal { return "signal \(signal)" }
        if event.status == .timeout { return "timed out" }
        return event.reason ?? event.status.rawValue.lowercased()
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
        guard let job = engine.inspect(id) else { throw RPCError.notFound("unknown job \"\(id)\"") }
        let zone = self.zone(of: job.definition)
        var previous = job.lastSlot
        return .array(engine.upcoming(id, count: count).map { slot in
            var members: [(String, JSONValue)] = [
                ("slot", .string(slot.slot.iso8601UTC)), ("local", .string(slot.slot.iso8601(in: zone))),
                ("zone", .string(zone.identifier)), ("earliest", .string(slot.earliest.iso8601UTC)),
                ("latest", .string(slot.latest.iso8601UTC)), ("paused", .bool(slot.paused)),
            ]
            if let quiet = slot.quietHours {
                members.append(("quietHours", .object([
                    ("name", .string(quiet.name)), ("action", .string(quiet.action.rawValue)),
                    ("until", .string(quiet.until.iso8601UTC)),
                ])))
            }
            if let note = Self.daylightSavingNote(slot: slot.slot, previous: previous, zone: zone, schedule: job.definition.schedule) {
                members.append(("dst", .string(note)))
            }
            previous = slot.slot
            return .object(members)
        })
    }

    /// Why a DST change touches this slot, or nil: a fixed-time cron slot moved to the end of a skipped hour, a
    /// slot in a repeated hour, or (interval slots keep their spacing in real time) a local time shifted since
    /// the previous slot.
    static func daylightSavingNote(slot: Instant, previous: Instant?, zone: ZoneRules, schedule: Schedule) -> String? {
        let offset = zone.offsetSeconds(at: slot)
        if case .cron(let expression, _) = schedule {
            // At the end of a gap, a fixed-time slot is either the expression's own wall time (0 3 * * * at 03:00)
            // or one the gap moved there; evaluating the expression on the bare wall time (in UTC, which has no
            // DST) tells them apart.
            let civil = zone.civil(at: slot)
            let wall = ZoneRules.utc.resolve(civil).earliest
            let natural = CronSchedule(expression: expression, zone: .utc).next(after: wall - 1_000) == wall
            if zone.offsetSeconds(at: slot - 1_000) < offset && expression.isFixedTime && !natural {
                return "moved to \(Self.hhmm(zone.civil(at: slot))) by the DST change: the wall times before it were skipped"
            }
            // A wall time an hour away in real time (the size of a DST change) is the repeated reading.
            if zone.civil(at: slot - 3_600_000) == civil || zone.civil(at: slot + 3_600_000) == civil {
                return expression.isFixedTime
                    ? "in the hour the DST change repeats: runs once, at the first occurrence"
                    : "in the hour the DST change repeats: this wall time comes twice"
            }
            return nil
        }
        guard let previous, zone.offsetSeconds(at: previous) != offset else { return nil }
        let shift = (offset - zone.offsetSeconds(at: previous)) / 60
        return "local time shifts \(shift > 0 ? "+" : "")\(shift)m at the DST change; the interval stays exact"
    }

    static func hhmm(_ civil: CivilDateTime) -> String {
        "\(two(civil.hour)):\(two(civil.minute))"
    }

    static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// The aggregated metrics and the time, for the caller to take a snapshot of and encode off the actor.
    ///
    /// A copy of the aggregator is a few retains; its arrays are shared until the engine next records an event,
    /// which then copies what it touches while the caller still holds them (the job and histogram tables, and
    /// the counts of each histogram it records into). That costs the actor a few milliseconds at most, where the
    /// snapshot of 1,000 jobs (percentiles of three histograms and 15-minute throughput windows per job) held the
    /// actor, and with it every slot's start, for over 100 ms on a busy machine.
    func metricsForSnapshot() -> (metrics: MetricsAggregator, at: Instant) {
        (metrics, clock.read().wall)
    }

    /// One job's metrics, summarized here: a few histograms' percentiles take the actor microseconds, where a
    /// copy of the aggregator would make the next event copy every job's tables (see `smallListing`).
    func metricsSnapshot(job: String) -> MetricsSnapshot {
        metrics.snapshot(at: clock.read().wall, job: job)
    }

    /// Encodes a store record or a metrics snapshot (Codable, camelCase) as a JSON value.
    static func encode(_ value: some Encodable) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONValue.parse(data) else { return .null }
        return json
    }
}
