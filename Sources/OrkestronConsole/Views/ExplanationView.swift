import OrkestronProtocol

/// `orkctl explain JOB`: the state, then one sentence per reason from `jobs.explain`, with its time.
public enum ExplanationView {
    public static func render(_ result: JSONValue, job: String, in context: ConsoleContext) -> String {
        var lines = ["\(result["id"]?.stringValue ?? job) is \(result["state"]?.stringValue ?? "?")."]
        for reason in result["reasons"]?.arrayValue ?? [] {
            let text = reason["text"]?.stringValue ?? ""
            if let time = reason["time"]?.instant {
                lines.append("\(text) (\(context.local(time)), \(context.relative(time)))")
            } else {
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n")
    }
}
