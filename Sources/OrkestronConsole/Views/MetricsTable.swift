import Foundation
import OrkestronProtocol

/// `orkctl metrics`: one row per job, per type and the total from `metrics.get`: counts by final status, the
/// failure rate, p50/p90/p99 of duration, start lateness and queue wait, and throughput.
public enum MetricsTable {
    public static func render(_ result: JSONValue) -> String {
        var rows: [[String]] = [[
            "JOB", "RUNS", "OK", "FAILED", "TIMEOUT", "CANCELLED", "SKIPPED", "FAIL%", "DURATION P50/P90/P99",
            "LATENESS P50/P90/P99", "QUEUE WAIT P50/P90/P99", "RUNS/MIN 1/5/15",
        ]]
        func add(_ name: String, _ summary: JSONValue) {
            let runs = summary["runs"] ?? .null
            let count: (String) -> String = { runs[$0]?.intValue.map(String.init) ?? "0" }
            let perMinute = ["last1m", "last5m", "last15m"].map { key in
                summary["throughputPerMinute"]?[key]?.doubleValue.map { String(format: "%.1f", $0) } ?? "-"
            }
            rows.append([
                name, count("total"), count("success"), count("failed"), count("timeout"), count("cancelled"),
                count("skipped"), summary["failureRate"]?.doubleValue.map { String(format: "%.1f", $0 * 100) } ?? "-",
                percentiles(summary["durationMs"]), percentiles(summary["latenessMs"]),
                percentiles(summary["queueWaitMs"]), perMinute.joined(separator: "/"),
            ])
        }
        for (id, summary) in result["jobs"]?.objectValue ?? [] { add(id, summary) }
        for (name, summary) in result["types"]?.objectValue ?? [] { add("type:" + name, summary) }
        if let total = result["total"], total["runs"] != nil { add("TOTAL", total) }
        return Table(rows: rows).render()
    }

    /// "120ms/310ms/2s", or "-" when nothing was measured.
    static func percentiles(_ stats: JSONValue?) -> String {
        guard let stats, (stats["count"]?.intValue ?? 0) > 0 else { return "-" }
        return ["p50", "p90", "p99"].map { key in
            stats[key]?.intValue.map(ConsoleContext.duration) ?? "-"
        }.joined(separator: "/")
    }
}
