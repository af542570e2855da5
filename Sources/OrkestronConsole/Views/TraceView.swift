import OrkestronCore
import OrkestronProtocol

/// `orkctl trace RUN`: every transition of one run from `runs.get`, with the delay since the previous one.
public enum TraceView {
    public static func render(_ result: JSONValue, runId: String) -> String {
        let run = result["run"] ?? .null
        let title = "\(run["runId"]?.stringValue ?? runId)  job \(run["jobId"]?.stringValue ?? "?")  "
            + "trigger \(run["trigger"]?.stringValue ?? "-")  status \(run["status"]?.stringValue ?? "?")"
        var rows: [[String]] = [["TIME", "+DELAY", "STATUS", "ATTEMPT", "DETAIL"]]
        var previous: Instant?
        for event in result["events"]?.arrayValue ?? [] {
            let time = event["time"]?.instant
            var delay = ""
            if let time, let previous { delay = "+" + ConsoleContext.duration(ms: time.milliseconds(since: previous)) }
            if let time { previous = time }
            var detail: [String] = []
            if let ms = event["durationMs"]?.intValue { detail.append("took \(ConsoleContext.duration(ms: ms))") }
            if let ms = event["nextRetryIn"]?.intValue { detail.append("retry in \(ConsoleContext.duration(ms: ms))") }
            if let code = event["exitCode"]?.intValue { detail.append("exit \(code)") }
            if let signal = event["signal"]?.intValue { detail.append("signal \(signal)") }
            if let reason = event["reason"]?.stringValue { detail.append(reason) }
            rows.append([
                event["time"]?.stringValue ?? "?", delay, event["status"]?.stringValue ?? "?",
                event["attempt"]?.intValue.map(String.init) ?? "-", detail.joined(separator: "; "),
            ])
        }
        return title + "\n" + Table(rows: rows).render()
    }
}
