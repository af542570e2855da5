import OrkestronProtocol
import OrkestronStore

/// The wire form of a run (`runs.list`, `runs.get`, `jobs.get`'s `recentRuns`), built directly: the same text
/// as encoding the row with `JSONEncoder` and reading it back (members in key order, absent values as null),
/// without the round trip, which made a 50-run history cost milliseconds of CPU.
extension RunRecordRow {
    var json: JSONValue {
        .object([
            ("attempt", .int(Int64(attempt))),
            ("createdAt", .string(createdAt)),
            ("durationMs", JSONValue(durationMs)),
            ("exitCode", exitCode.map { .int(Int64($0)) } ?? .null),
            ("final", .bool(final)),
            ("finishedAt", JSONValue(finishedAt)),
            ("jobId", .string(jobId)),
            ("reason", JSONValue(reason)),
            ("runId", .string(runId)),
            ("signal", signal.map { .int(Int64($0)) } ?? .null),
            ("slot", .string(slot)),
            ("startedAt", JSONValue(startedAt)),
            ("status", .string(status)),
            ("trigger", .string(trigger)),
            ("triggeredBy", triggeredBy.map { source in
                .object([
                    ("jobId", .string(source.jobId)), ("runId", .string(source.runId)),
                    ("status", .string(source.status)),
                ])
            } ?? .null),
        ])
    }
}
