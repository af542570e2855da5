import OrkestronProtocol

/// `orkctl next JOB`: upcoming slots from `jobs.next`, in the job's zone and in UTC, with the jitter window and
/// what touches them (pause, quiet hours, a DST change).
public enum UpcomingRunsView {
    public static func render(_ slots: JSONValue, in context: ConsoleContext) -> String {
        var rows: [[String]] = [["SLOT", "ZONE", "UTC", "WHEN", "JITTER", "NOTE"]]
        for slot in slots.arrayValue ?? [] {
            let at = slot["slot"]?.instant
            var notes: [String] = []
            if slot["paused"]?.boolValue == true { notes.append("paused: runs only if resumed") }
            if let quiet = slot["quietHours"], !quiet.isNull {
                let until = quiet["until"]?.instant.map(context.local) ?? "?"
                notes.append("quiet hours '\(quiet["name"]?.stringValue ?? "?")': \(quiet["action"]?.stringValue ?? "?") until \(until)")
            }
            if let dst = slot["dst"]?.stringValue { notes.append("DST: " + dst) }
            var jitter = "-"
            if let earliest = slot["earliest"]?.instant, let latest = slot["latest"]?.instant, latest > earliest {
                jitter = "+0…" + ConsoleContext.duration(ms: latest.milliseconds(since: earliest))
            }
            rows.append([
                slot["local"]?.stringValue.map(readable) ?? at.map(context.local) ?? "?", slot["zone"]?.stringValue ?? "-",
                slot["slot"]?.stringValue.map(readable) ?? "?", at.map(context.until) ?? "-", jitter,
                notes.joined(separator: "; "),
            ])
        }
        return Table(rows: rows).render()
    }

    /// ISO 8601 with the `T` as a space and no milliseconds: `2026-11-30 03:30:00+01:00`.
    static func readable(_ iso: String) -> String {
        var text = iso.replacingOccurrences(of: "T", with: " ")
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) {
            text.removeSubrange(dot..<end)
        }
        return text
    }
}
