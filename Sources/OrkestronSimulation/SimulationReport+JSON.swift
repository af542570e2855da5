import OrkestronMetrics
import OrkestronProtocol

extension SimulationReport {
    /// The report as one JSON document (`orkctl simulate --json`): the same data as the text, object keys in
    /// alphabetical order and jobs, types and reasons sorted by name, so equal runs give equal bytes.
    ///
    /// ```
    /// {"busyMs", "configFiles", "durationMs", "end", "events", "failureRates": {target: rate}, "findings":
    ///  [{kind, subject, text}], "jobs": {id: {...level, schedule, type}}, "maxConcurrency", "seed", "seedSource",
    ///  "start", "total": {...level}, "types": {name: {...level, busyMs, jobs, maxConcurrency, utilization}},
    ///  "utilization"}
    /// ```
    /// A level is `{cancelled, deferred: {reason: n}, durationMs, failures, latenessMs, peakQueueDepth,
    /// queueWaitMs: {count, max, p50, p90, p99}, retries, runs, skipped: {reason: n}, slots, successes, timeouts,
    /// unfinished}`.
    public var json: JSONValue {
        var rates: [(String, JSONValue)] = []
        for override in failureRates where !rates.contains(where: { $0.0 == override.target }) {
            let last = failureRates.last { $0.target == override.target }!
            rates.append((override.target, .double(last.rate)))
        }
        return .object([
            ("busyMs", .int(busyMs)),
            ("configFiles", .array(configFiles.map(JSONValue.string))),
            ("durationMs", .int(durationMs)),
            ("end", .string(end.iso8601UTC)),
            ("events", .int(Int64(eventCount))),
            ("failureRates", .object(rates.sorted { $0.0 < $1.0 })),
            ("findings", .array(findings.map(\.json))),
            ("jobs", .object(jobs.map { ($0.id, $0.json) })),
            ("maxConcurrency", .int(Int64(maxConcurrency))),
            ("seed", .int(Int64(bitPattern: seed))),
            ("seedSource", .string(seedSource)),
            ("start", .string(start.iso8601UTC)),
            ("total", .object(total.members)),
            ("types", .object(types.map { ($0.name, $0.json) })),
            ("utilization", .double(Self.rounded(utilization))),
        ])
    }

    /// Four decimals: enough for a percentage with two, and no float noise in the bytes.
    static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}

extension SimulationReport.Level {
    var members: [(String, JSONValue)] {
        [
            ("cancelled", .int(Int64(cancelled))),
            ("deferred", Self.reasons(deferred)),
            ("durationMs", Self.percentiles(durationMs)),
            ("failures", .int(Int64(failures))),
            ("latenessMs", Self.percentiles(latenessMs)),
            ("peakQueueDepth", .int(Int64(peakQueueDepth))),
            ("queueWaitMs", Self.percentiles(queueWaitMs)),
            ("retries", .int(Int64(retries))),
            ("runs", .int(Int64(runs))),
            ("skipped", Self.reasons(skipped)),
            ("slots", .int(Int64(slots))),
            ("successes", .int(Int64(successes))),
            ("timeouts", .int(Int64(timeouts))),
            ("unfinished", .int(Int64(unfinished))),
        ]
    }

    static func reasons(_ counts: [OutcomeReason: Int]) -> JSONValue {
        .object(counts.map { ($0.key.key, JSONValue.int(Int64($0.value))) }.sorted { $0.0 < $1.0 })
    }

    static func percentiles(_ value: Percentiles) -> JSONValue {
        .object([
            ("count", .int(Int64(value.count))), ("max", .int(value.max)), ("p50", .int(value.p50)),
            ("p90", .int(value.p90)), ("p99", .int(value.p99)),
        ])
    }
}

extension SimulationReport.Job {
    var json: JSONValue {
        var members = stats.members
        members.append(("schedule", .string(schedule)))
        members.append(("type", type.map(JSONValue.string) ?? .null))
        return .object(members.sorted { $0.0 < $1.0 })
    }
}

extension SimulationReport.TypeSummary {
    var json: JSONValue {
        var members = stats.members
        members.append(("busyMs", .int(busyMs)))
        members.append(("jobs", .int(Int64(jobs))))
        members.append(("maxConcurrency", maxConcurrency.map { .int(Int64($0)) } ?? .null))
        members.append(("utilization", utilization.map { .double(SimulationReport.rounded($0)) } ?? .null))
        return .object(members.sorted { $0.0 < $1.0 })
    }
}

extension Finding {
    var json: JSONValue {
        .object([("kind", .string(kind.rawValue)), ("subject", .string(subject)), ("text", .string(text))])
    }
}
