import OrkestronProtocol

/// `orkctl status`: the daemon's health and counts from `daemon.status`.
public enum StatusView {
    public static func render(_ status: JSONValue) -> String {
        let rows: [(String, String)] = [
            ("version", status["version"]?.stringValue ?? "?"),
            ("pid", status["pid"]?.intValue.map(String.init) ?? "?"),
            ("up", ConsoleContext.duration(ms: status["uptimeMs"]?.intValue ?? 0)),
            ("jobs", "\(status["jobs"]?.intValue ?? 0) (\(status["paused"]?.intValue ?? 0) paused)"),
            ("running", "\(status["running"]?.intValue ?? 0) of \(status["slots"]?.intValue ?? 0) slots"),
            ("queued", "\(status["queued"]?.intValue ?? 0)"),
            ("config", (status["configPaths"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")),
        ]
        var lines = rows.map { [$0.0, $0.1] }
        let chaos = (status["chaos"]?.arrayValue ?? []).compactMap { entry -> String? in
            guard let job = entry["job"]?.stringValue, let rate = entry["failureRate"]?.doubleValue else { return nil }
            return "\(job) \(rate)"
        }
        if !chaos.isEmpty { lines.append(["chaos", "failure injection: " + chaos.joined(separator: ", ")]) }
        return Table(rows: lines).render()
    }
}
