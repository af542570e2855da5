import OrkestronProtocol

/// `orkctl explain JOB`: the state, then one sentence per reason from `jobs.explain` (which names its times in
/// the job's zone), with how long ago or ahead that is.
public enum ExplanationView {
    public static func render(_ result: JSONValue, job: String, in context: ConsoleContext) -> String {
        var lines = ["\(result["id"]?.stringValue ?? job) is \(result["state"]?.stringValue ?? "?")."]
        for reason in result["reasons"]?.arrayValue ?? [] {
            let text = reason["text"]?.stringValue ?? ""
            if let time = reason["time"]?.instant {
                lines.append("\(text) (\(context.relative(time)))")
            } else {
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n")
    }
}
