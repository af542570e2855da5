import OrkestronMetrics
import OrkestronProtocol

/// The wire form of `metrics.get`, built directly.
///
/// It is exactly what encoding the snapshot with `JSONEncoder` and reading it back gave (members in key order,
/// absent optionals left out), which the protocol documents; `MetricsJSONTests` holds the two to the same text.
/// The round trip cost 60 ms of CPU for a snapshot of 1,000 jobs, so a few dashboards took a core.
extension MetricsSnapshot {
    var json: JSONValue {
        .object([
            ("atMs", .int(at.millisecondsSinceEpoch)),
            ("jobs", .object(jobs.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })),
            ("total", total.json),
            ("types", .object(types.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })),
        ])
    }
}

extension MetricsSummary {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("durationMs", durationMs.json),
            ("failureRate", .double(failureRate)),
        ]
        if let lastDurationsMs {
            members.append(
                ("lastDurationsMs", .array(lastDurationsMs.map { sample in
                    .object([("durationMs", .int(sample.durationMs)), ("status", .string(sample.status.rawValue))])
                })))
        }
        members += [
            ("latenessMs", latenessMs.json),
            ("queueDepth", .int(Int64(queueDepth))),
            ("queueDepthPeak", .int(Int64(queueDepthPeak))),
            ("queueWaitMs", queueWaitMs.json),
            ("retryDistribution", .object(
                retryDistribution.runsByAttempts.map { (String($0.key), JSONValue.int(Int64($0.value))) }
                    .sorted { $0.0 < $1.0 })),
            ("running", .int(Int64(running))),
            ("runs", .object([
                ("cancelled", .int(Int64(runs.cancelled))), ("deferred", .int(Int64(runs.deferred))),
                ("failed", .int(Int64(runs.failed))), ("retries", .int(Int64(runs.retries))),
                ("skipped", .int(Int64(runs.skipped))), ("success", .int(Int64(runs.success))),
                ("timeout", .int(Int64(runs.timeout))), ("total", .int(Int64(runs.total))),
            ])),
        ]
        if let stale { members.append(("stale", .bool(stale))) }
        members.append(
            ("throughputPerMinute", .object([
                ("last15m", .double(throughputPerMinute.last15m)), ("last1m", .double(throughputPerMinute.last1m)),
                ("last5m", .double(throughputPerMinute.last5m)),
            ])))
        if let type { members.append(("type", .string(type))) }
        return .object(members)
    }
}

extension Percentiles {
    var json: JSONValue {
        .object([
            ("count", .int(Int64(count))), ("max", .int(max)), ("p50", .int(p50)), ("p90", .int(p90)),
            ("p99", .int(p99)),
        ])
    }
}
