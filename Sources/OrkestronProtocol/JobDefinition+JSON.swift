import OrkestronCore

extension JobDefinition {
    /// The effective definition as `jobs.get` shows it; durations in milliseconds. Environment values may hold
    /// secrets: without `revealEnvironment` only the names are listed.
    public func json(revealEnvironment: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)),
            ("type", JSONValue(type)),
            ("schedule", scheduleJSON),
            ("priority", .int(Int64(priority))),
            ("maxConcurrency", JSONValue(maxConcurrency)),
            ("overlap", .string(overlap.rawValue)),
            ("timeoutMs", JSONValue(timeoutMs)),
            ("killGraceMs", .int(killGraceMs)),
            ("missed", .string(missed.rawValue)),
            ("deadlineMs", JSONValue(deadlineMs)),
            ("jitterMs", .int(jitterMs)),
            ("retry", .object([
                ("maxRetries", .int(Int64(retry.maxRetries))), ("backoff", .string(retry.backoff.rawValue)),
                ("initialDelayMs", .int(retry.initialDelayMs)), ("multiplier", .double(retry.multiplier)),
                ("maxDelayMs", .int(retry.maxDelayMs)), ("jitter", .double(retry.jitter)),
            ])),
            ("pausedInitially", .bool(pausedInitially)),
            ("onSuccess", JSONValue(onSuccess)),
            ("onFailure", JSONValue(onFailure)),
            ("pauseAfterFailures", JSONValue(pauseAfterFailures)),
            ("maxStalenessMs", JSONValue(maxStalenessMs)),
        ]
        if let catchup {
            members.append(("catchup", .object([("max", .int(Int64(catchup.max))), ("staggerMs", .int(catchup.staggerMs))])))
        }
        switch workload {
        case .process(let process):
            let environment: JSONValue =
                revealEnvironment
                ? .object(process.environment.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                : JSONValue(process.environment.keys.sorted())
            members.append(("command", JSONValue(process.command)))
            members.append(("workingDirectory", JSONValue(process.workingDirectory)))
            members.append(("environment", environment))
        case .simulated(let simulated):
            members.append(("simulated", .object([
                ("failureRate", .double(simulated.failureRate)), ("minDurationMs", .int(simulated.minDurationMs)),
                ("maxDurationMs", .int(simulated.maxDurationMs)),
            ])))
        }
        return .object(members)
    }

    public var scheduleJSON: JSONValue {
        switch schedule {
        case .manual: return .object([("kind", "manual")])
        case .interval(let every, let offset):
            return .object([("kind", "interval"), ("everyMs", .int(every)), ("offsetMs", .int(offset))])
        case .cron(let expression, let zone):
            return .object([("kind", "cron"), ("expr", .string(expression.text)), ("timezone", .string(zone))])
        }
    }

    /// A short human form: "every 3s", "cron 30 3 * * * Europe/Berlin", "manual".
    public var scheduleSummary: String {
        switch schedule {
        case .manual: return "manual"
        case .interval(let every, _): return "every \(DurationText.format(every))"
        case .cron(let expression, let zone): return "cron \(expression.text) \(zone)"
        }
    }
}
