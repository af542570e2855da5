import OrkestronProtocol

/// `orkctl next JOB`: upcoming slots from `jobs.next` with their jitter bounds and what policy touches them.
public enum UpcomingRunsView {
    public static func render(_ slots: JSONValue, in context: ConsoleContext) -> String {
        var rows: [[String]] = [["SLOT", "WHEN", "EARLIEST", "LATEST", "NOTE"]]
        for slot in slots.arrayValue ?? [] {
            let at = slot["slot"]?.instant
            var notes: [String] = []
            if slot["paused"]?.boolValue == true { notes.append("paused") }
            if let quiet = slot["quietHours"], !quiet.isNull {
                let until = quiet["until"]?.instant.map(context.local) ?? "?"
                notes.append("quiet hours \(quiet["name"]?.stringValue ?? "?"): \(quiet["action"]?.stringValue ?? "?") until \(until)")
            }
            rows.append([
                at.map(context.local) ?? "?", at.map(context.until) ?? "-",
                slot["earliest"]?.instant.map(context.local) ?? "-", slot["latest"]?.instant.map(context.local) ?? "-",
                notes.joined(separator: "; "),
            ])
        }
        return Table(rows: rows).render()
    }
}
