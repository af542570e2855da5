import OrkestronProtocol

/// `orkctl list`: one row per job from `jobs.list`.
public enum JobListView {
    public static func render(_ jobs: JSONValue, in context: ConsoleContext) -> String {
        var rows: [[String]] = [["JOB", "TYPE", "SCHEDULE", "STATE", "LAST", "NEXT"]]
        for job in jobs.arrayValue ?? [] {
            var last = "-"
            if let run = job["lastRun"], let status = run["status"]?.stringValue {
                last = status + (run["finishedAt"]?.instant.map { " " + context.since($0) } ?? "")
            }
            rows.append([
                job["id"]?.stringValue ?? "?", job["type"]?.stringValue ?? "-", job["schedule"]?.stringValue ?? "-",
                job["state"]?.stringValue ?? "?", last, job["nextRun"]?.instant.map(context.until) ?? "-",
            ])
        }
        return Table(rows: rows).render()
    }
}
