import ArgumentParser
import Foundation
import OrkestronProtocol

/// `orkctl metrics [JOB] [--format table|json|prometheus]`.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "metrics", abstract: "Run metrics per job and type.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, prometheus
    }

    @Argument(help: "Only this job.")
    var job: String?

    @Option(name: .long, help: "Only jobs of this type.")
    var type: String?

    @Option(name: .long, help: "table, json or prometheus.")
    var format: Format = .table

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result = try await global.call("metrics.get", .object(["job": JSONValue(job), "type": JSONValue(type)]))
        if global.json || format == .json {
            print(result.serialized)
        } else if format == .prometheus {
            print(Self.prometheus(result), terminator: "")
        } else {
            print(Self.table(result))
        }
    }

    static let statuses = ["success", "failed", "timeout", "cancelled", "skipped", "deferred"]

    static func ms(_ value: JSONValue?) -> String {
        value?.intValue.map { RelativeTime.duration(ms: $0) }
            ?? value?.doubleValue.map { RelativeTime.duration(ms: Int64($0.rounded())) } ?? "-"
    }

    static func table(_ result: JSONValue) -> String {
        var rows: [[String]] = [[
            "JOB", "RUNS", "OK", "FAILED", "TIMEOUT", "CANCELLED", "SKIPPED", "FAIL%", "P50", "P90", "P99",
            "LATE P50", "LATE P99", "RUNS/MIN (1/5/15)",
        ]]
        func add(_ name: String, _ summary: JSONValue) {
            let runs = summary["runs"] ?? .null
            let count: (String) -> String = { runs[$0]?.intValue.map(String.init) ?? "0" }
            let rate = summary["failureRate"]?.doubleValue.map { String(format: "%.1f", $0 * 100) } ?? "-"
            let duration = summary["durationMs"] ?? .null
            let lateness = summary["latenessMs"] ?? .null
            let throughput = summary["throughputPerMinute"] ?? .null
            let perMinute = ["last1m", "last5m", "last15m"].map { key in
                throughput[key]?.doubleValue.map { String(format: "%.1f", $0) } ?? "-"
            }.joined(separator: "/")
            rows.append([
                name, count("total"), count("success"), count("failed"), count("timeout"), count("cancelled"),
                count("skipped"), rate, ms(duration["p50"]), ms(duration["p90"]), ms(duration["p99"]),
                ms(lateness["p50"]), ms(lateness["p99"]), perMinute,
            ])
        }
        for (id, summary) in result["jobs"]?.objectValue ?? [] { add(id, summary) }
        for (name, summary) in result["types"]?.objectValue ?? [] { add("type:" + name, summary) }
        if let total = result["total"], !total.isNull, total["runs"] != nil { add("TOTAL", total) }
        return Table(rows: rows).render()
    }

    /// The Prometheus text exposition format.
    static func prometheus(_ result: JSONValue) -> String {
        var families: [(name: String, help: String, type: String, samples: [String])] = [
            ("orkestron_runs_total", "Finished runs by final status.", "counter", []),
            ("orkestron_retries_total", "Retried attempts.", "counter", []),
            ("orkestron_failure_rate", "Fraction of finished runs that did not succeed.", "gauge", []),
            ("orkestron_run_duration_ms", "Run duration in milliseconds.", "summary", []),
            ("orkestron_lateness_ms", "Start lateness against the planned slot in milliseconds.", "summary", []),
            ("orkestron_queue_wait_ms", "Time spent queued in milliseconds.", "summary", []),
            ("orkestron_throughput_per_minute", "Finished runs per minute.", "gauge", []),
            ("orkestron_queue_depth", "Runs waiting in the queue.", "gauge", []),
            ("orkestron_queue_depth_peak", "Peak queue depth.", "gauge", []),
            ("orkestron_running", "Runs in progress.", "gauge", []),
        ]
        func number(_ value: JSONValue?) -> String? {
            if let int = value?.intValue { return String(int) }
            if let double = value?.doubleValue { return double.isFinite ? String(double) : nil }
            return nil
        }
        func append(_ family: String, _ labels: String, _ value: JSONValue?) {
            guard let text = number(value), let index = families.firstIndex(where: { $0.name == family }) else { return }
            families[index].samples.append("\(family){\(labels)} \(text)")
        }
        func summary(_ family: String, _ labels: String, _ stats: JSONValue?, quantiles: [(String, String)]) {
            guard let stats, !stats.isNull else { return }
            for (key, quantile) in quantiles { append(family, "\(labels),quantile=\"\(quantile)\"", stats[key]) }
            if let index = families.firstIndex(where: { $0.name == family }), let count = number(stats["count"]) {
                families[index].samples.append("\(family)_count{\(labels)} \(count)")
            }
        }
        func add(_ labels: String, _ summaryValue: JSONValue) {
            let runs = summaryValue["runs"] ?? .null
            for status in statuses { append("orkestron_runs_total", "\(labels),status=\"\(status)\"", runs[status]) }
            append("orkestron_retries_total", labels, runs["retries"])
            append("orkestron_failure_rate", labels, summaryValue["failureRate"])
            let full = [("p50", "0.5"), ("p90", "0.9"), ("p99", "0.99")]
            summary("orkestron_run_duration_ms", labels, summaryValue["durationMs"], quantiles: full)
            summary("orkestron_lateness_ms", labels, summaryValue["latenessMs"], quantiles: full)
            summary("orkestron_queue_wait_ms", labels, summaryValue["queueWaitMs"], quantiles: [("p50", "0.5"), ("p99", "0.99")])
            for (key, window) in [("last1m", "1m"), ("last5m", "5m"), ("last15m", "15m")] {
                append("orkestron_throughput_per_minute", "\(labels),window=\"\(window)\"", summaryValue["throughputPerMinute"]?[key])
            }
            append("orkestron_queue_depth", labels, summaryValue["queueDepth"])
            append("orkestron_queue_depth_peak", labels, summaryValue["queueDepthPeak"])
            append("orkestron_running", labels, summaryValue["running"])
        }
        for (id, summaryValue) in result["jobs"]?.objectValue ?? [] { add("job=\"\(escape(id))\"", summaryValue) }
        for (name, summaryValue) in result["types"]?.objectValue ?? [] { add("type=\"\(escape(name))\"", summaryValue) }
        var output = ""
        for family in families where !family.samples.isEmpty {
            output += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            output += family.samples.map { $0 + "\n" }.joined()
        }
        return output
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
