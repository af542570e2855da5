import OrkestronCore

extension Event {
    /// The wire form of SPEC §5: the original design's nine fields always present (null when absent), then the
    /// optional details when set.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("seq", .int(Int64(seq))),
            ("time", .string(time.iso8601UTC)),
            ("jobId", .string(jobId)),
            ("runId", JSONValue(runId)),
            ("status", .string(status.rawValue)),
            ("attempt", JSONValue(attempt)),
            ("durationMs", JSONValue(durationMs)),
            ("nextRetryIn", JSONValue(nextRetryIn)),
            ("reason", JSONValue(reason)),
        ]
        if let trigger { members.append(("trigger", .string(trigger.rawValue))) }
        if let slot { members.append(("slot", .string(slot.iso8601UTC))) }
        if let exitCode { members.append(("exitCode", .int(Int64(exitCode)))) }
        if let signal { members.append(("signal", .int(Int64(signal)))) }
        if let latenessMs { members.append(("latenessMs", .int(latenessMs))) }
        if let queueWaitMs { members.append(("queueWaitMs", .int(queueWaitMs))) }
        if let by { members.append(("by", .string(by))) }
        if let triggeredBy {
            members.append(
                ("triggeredBy",
                 .object([("jobId", .string(triggeredBy.jobId)), ("runId", .string(triggeredBy.runId)),
                          ("status", .string(triggeredBy.status.rawValue))])))
        }
        return .object(members)
    }

    /// Reads an event back from its wire form (orkctl watch, tests).
    public init?(json: JSONValue) {
        guard let seq = json["seq"]?.intValue, let time = json["time"]?.stringValue.flatMap(Instant.init(iso8601:)),
            let jobId = json["jobId"]?.stringValue,
            let status = json["status"]?.stringValue.flatMap(EventStatus.init(rawValue:))
        else { return nil }
        self.init(
            seq: UInt64(seq), time: time, jobId: jobId, runId: json["runId"]?.stringValue, status: status,
            attempt: json["attempt"]?.intValue.map(Int.init), durationMs: json["durationMs"]?.intValue,
            nextRetryIn: json["nextRetryIn"]?.intValue, reason: json["reason"]?.stringValue,
            trigger: json["trigger"]?.stringValue.flatMap(Trigger.init(rawValue:)),
            slot: json["slot"]?.stringValue.flatMap(Instant.init(iso8601:)),
            exitCode: json["exitCode"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
            signal: json["signal"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
            latenessMs: json["latenessMs"]?.intValue, queueWaitMs: json["queueWaitMs"]?.intValue,
            by: json["by"]?.stringValue,
            triggeredBy: json["triggeredBy"].flatMap { source in
                guard let jobId = source["jobId"]?.stringValue, let runId = source["runId"]?.stringValue,
                    let status = source["status"]?.stringValue.flatMap(EventStatus.init(rawValue:))
                else { return nil }
                return TriggerSource(jobId: jobId, runId: runId, status: status)
            })
    }
}
