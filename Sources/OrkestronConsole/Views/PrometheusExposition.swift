import Foundation
import OrkestronProtocol

/// `orkctl metrics --format prometheus`: the text exposition format (version 0.0.4) of `metrics.get`.
///
/// Every per-job series carries the labels `job` and (when the job has one) `type`, so `sum by (type)` aggregates counters; type and
/// total summaries are not emitted again, since they would double every sum. Durations are in seconds (base
/// units); throughput is left to `rate(orkestron_runs_total[5m])`.
public enum PrometheusExposition {
    struct Family {
        var name: String
        var help: String
        var type: String
        var samples: [String] = []
    }

    static let statuses = ["success", "failed", "timeout", "cancelled", "skipped"]

    public static func render(_ result: JSONValue) -> String {
        var families = [
            Family(name: "orkestron_runs_total", help: "Finished runs by final status.", type: "counter"),
            Family(name: "orkestron_retries_total", help: "Attempts retried after a failure.", type: "counter"),
            Family(name: "orkestron_deferrals_total", help: "Runs deferred by quiet hours.", type: "counter"),
            Family(name: "orkestron_failure_ratio", help: "Fraction of finished runs that failed or timed out.", type: "gauge"),
            Family(name: "orkestron_run_duration_seconds", help: "Duration of attempts that ran.", type: "summary"),
            Family(name: "orkestron_start_lateness_seconds", help: "Start time minus the planned slot.", type: "summary"),
            Family(name: "orkestron_queue_wait_seconds", help: "Time attempts waited in the queue.", type: "summary"),
            Family(name: "orkestron_queue_depth", help: "Runs waiting in the queue.", type: "gauge"),
            Family(name: "orkestron_queue_depth_peak", help: "Largest queue depth since the daemon started.", type: "gauge"),
            Family(name: "orkestron_running", help: "Attempts running now.", type: "gauge"),
            Family(name: "orkestron_job_stale", help: "1 when the job has gone max_staleness without a success.", type: "gauge"),
        ]
        func add(_ family: String, _ labels: [(String, String)], _ value: String?, suffix: String = "") {
            guard let value, let index = families.firstIndex(where: { $0.name == family }) else { return }
            let text = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
            families[index].samples.append("\(family)\(suffix){\(text)} \(value)")
        }
        func summary(_ family: String, _ labels: [(String, String)], _ stats: JSONValue?) {
            guard let stats, let count = stats["count"]?.intValue, count > 0 else { return }
            for (key, quantile) in [("p50", "0.5"), ("p90", "0.9"), ("p99", "0.99")] {
                add(family, labels + [("quantile", quantile)], stats[key]?.intValue.map(seconds))
            }
            add(family, labels, String(count), suffix: "_count")
        }
        for (id, job) in result["jobs"]?.objectValue ?? [] {
            let labels = [("job", id)] + (job["type"]?.stringValue.map { [("type", $0)] } ?? [])
            let runs = job["runs"] ?? .null
            for status in statuses {
                add("orkestron_runs_total", labels + [("status", status)], runs[status]?.intValue.map(String.init))
            }
            add("orkestron_retries_total", labels, runs["retries"]?.intValue.map(String.init))
            add("orkestron_deferrals_total", labels, runs["deferred"]?.intValue.map(String.init))
            add("orkestron_failure_ratio", labels, job["failureRate"]?.doubleValue.map(number))
            summary("orkestron_run_duration_seconds", labels, job["durationMs"])
            summary("orkestron_start_lateness_seconds", labels, job["latenessMs"])
            summary("orkestron_queue_wait_seconds", labels, job["queueWaitMs"])
            add("orkestron_queue_depth", labels, job["queueDepth"]?.intValue.map(String.init))
            add("orkestron_queue_depth_peak", labels, job["queueDepthPeak"]?.intValue.map(String.init))
            add("orkestron_running", labels, job["running"]?.intValue.map(String.init))
            add("orkestron_job_stale", labels, job["stale"]?.boolValue.map { $0 ? "1" : "0" })
        }
        return families.filter { !$0.samples.isEmpty }.map { family in
            "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
                + family.samples.map { $0 + "\n" }.joined()
        }.joined()
    }

    /// Milliseconds as seconds, exactly: `1234` → `1.234`.
    static func seconds(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        let fraction = magnitude % 1000
        guard fraction != 0 else { return sign + String(magnitude / 1000) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.last == "0" { digits.removeLast() }
        return "\(sign)\(magnitude / 1000).\(digits)"
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(value) : (value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf"))
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
