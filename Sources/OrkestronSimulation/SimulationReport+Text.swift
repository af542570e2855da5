import OrkestronConsole
import OrkestronCore
import OrkestronMetrics

extension SimulationReport {
    /// The human report: the setup, per job and per type what happened, skips and deferrals by reason, queues
    /// and slot utilization, then the findings. No colors and no relative times, so it is the same everywhere.
    public var text: String {
        var sections = [header, jobTable, typeTable, reasonTable, slotSection, findingSection]
        sections.removeAll { $0.isEmpty }
        return sections.joined(separator: "\n\n")
    }

    private var header: String {
        let limits = [String(maxConcurrency) + " global"]
            + types.compactMap { type in type.maxConcurrency.map { "\(type.name) \($0)" } }
        let overrides = failureRates.isEmpty
            ? "none" : failureRates.map { "\($0.target)=\($0.rate)" }.joined(separator: ", ")
        let rows: [[String]] = [
            ["config", configFiles.isEmpty ? "none" : configFiles.joined(separator: ", ")],
            ["seed", "\(seed) (\(seedSource))"],
            ["start", start.iso8601UTC],
            ["end", end.iso8601UTC],
            ["duration", DurationText.format(durationMs) + " (virtual time)"],
            ["slots", limits.joined(separator: "; ")],
            ["failure rates", overrides],
            ["events", String(eventCount)],
        ]
        return "SIMULATION\n" + indent(Table(rows: rows).render())
    }

    private static let levelColumns = [
        "SLOTS", "RUNS", "OK", "FAILED", "TIMEOUT", "CANCELLED", "RETRIES", "SKIPPED", "DEFERRED", "UNFINISHED",
        "DURATION P50/P99", "LATENESS P50/P99", "QUEUE WAIT P50/P99", "PEAK QUEUE",
    ]

    private static func cells(_ level: Level) -> [String] {
        [
            level.slots, level.runs, level.successes, level.failures, level.timeouts, level.cancelled, level.retries,
            level.skippedTotal, level.deferredTotal, level.unfinished,
        ].map(String.init) + [
            pair(level.durationMs), pair(level.latenessMs), pair(level.queueWaitMs), String(level.peakQueueDepth),
        ]
    }

    /// "412ms/880ms", or "-" when nothing was measured.
    private static func pair(_ value: Percentiles) -> String {
        guard value.count > 0 else { return "-" }
        return SimulationFormat.duration(ms: value.p50) + "/" + SimulationFormat.duration(ms: value.p99)
    }

    private var jobTable: String {
        guard !jobs.isEmpty else { return "JOBS\n  none" }
        var rows = [["JOB", "TYPE", "SCHEDULE"] + Self.levelColumns]
        for job in jobs {
            rows.append([job.id, job.type ?? "-", job.schedule] + Self.cells(job.stats))
        }
        return "JOBS\n" + indent(Table(rows: rows).render())
    }

    private var typeTable: String {
        var rows = [["TYPE", "JOBS", "LIMIT"] + Self.levelColumns + ["UTILIZATION"]]
        for type in types {
            rows.append(
                [type.name, String(type.jobs), type.maxConcurrency.map(String.init) ?? "-"] + Self.cells(type.stats)
                    + [type.utilization.map(SimulationFormat.percent) ?? "-"])
        }
        rows.append(
            ["TOTAL", String(jobs.count), String(maxConcurrency)] + Self.cells(total)
                + [SimulationFormat.percent(utilization)])
        return "TYPES\n" + indent(Table(rows: rows).render())
    }

    private var reasonTable: String {
        var rows: [[String]] = [["JOB OR TYPE", "OUTCOME", "REASON", "COUNT"]]
        func add(_ name: String, _ level: Level) {
            for (reason, count) in level.skipped.sorted(by: { $0.key < $1.key }) {
                rows.append([name, "SKIPPED", reason.key, String(count)])
            }
            for (reason, count) in level.deferred.sorted(by: { $0.key < $1.key }) {
                rows.append([name, "DEFERRED", reason.key, String(count)])
            }
        }
        for job in jobs { add(job.id, job.stats) }
        for type in types { add("type " + type.name, type.stats) }
        add("TOTAL", total)
        guard rows.count > 1 else { return "SKIPPED AND DEFERRED BY REASON\n  none" }
        return "SKIPPED AND DEFERRED BY REASON\n" + indent(Table(rows: rows).render())
    }

    private var slotSection: String {
        var rows: [[String]] = [
            ["peak queue depth", String(total.peakQueueDepth)],
            [
                "utilization",
                "\(SimulationFormat.percent(utilization)) of \(maxConcurrency) global slots "
                    + "(\(SimulationFormat.duration(ms: busyMs)) of slot time busy)",
            ],
        ]
        for type in types {
            guard let limit = type.maxConcurrency, let share = type.utilization else { continue }
            let slots = min(limit, maxConcurrency)
            rows.append([
                "  " + type.name,
                "\(SimulationFormat.percent(share)) of \(slots) \(slots == 1 ? "slot" : "slots") "
                    + "(\(SimulationFormat.duration(ms: type.busyMs)) busy)",
            ])
        }
        return "QUEUES AND SLOTS\n" + indent(Table(rows: rows).render())
    }

    private var findingSection: String {
        guard !findings.isEmpty else {
            return "FINDINGS\n  none: no waits for slots, skipped slots, deferrals or failures worth a change"
        }
        return "FINDINGS\n" + findings.map { "  - " + $0.text }.joined(separator: "\n")
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
