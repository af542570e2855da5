import OrkestronProtocol

/// `orkctl watch`: one line per event notification — time, job, run, status, attempt, duration, next retry,
/// who, reason — with fixed-width leading columns so a stream stays aligned.
public enum EventLine {
    public static func render(_ event: JSONValue, in context: ConsoleContext) -> String {
        let status = event["status"]?.stringValue ?? "?"
        var fields = [
            event["time"]?.instant.map(context.local) ?? "?", pad(event["jobId"]?.stringValue ?? "-", 18),
            pad(event["runId"]?.stringValue ?? "-", 25),
            context.colors.status(status) + String(repeating: " ", count: max(0, 11 - status.count)),
        ]
        if let attempt = event["attempt"]?.intValue { fields.append("attempt \(attempt)") }
        if let ms = event["durationMs"]?.intValue { fields.append("took \(ConsoleContext.duration(ms: ms))") }
        if let ms = event["nextRetryIn"]?.intValue { fields.append("retry in \(ConsoleContext.duration(ms: ms))") }
        if let by = event["by"]?.stringValue { fields.append("by \(by)") }
        if let reason = event["reason"]?.stringValue { fields.append(reason) }
        return fields.joined(separator: "  ").trimmingTrailingSpaces
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
