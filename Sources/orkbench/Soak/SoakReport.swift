import Foundation

/// Everything one soak run measured, the checks it applied, and their verdicts; printed for people and
/// written as JSON (`--json`).
struct SoakReport: Sendable, Codable {
    struct Setup: Sendable, Codable {
        var daemon: String
        var jobs: Int
        var intervalMs: Int
        var durationMs: Int
        var targetRunsPerSecond: Double
        var clients: Int
        var subscribers: Int
        var fullSubscribers: Int
        var requestsPerClientPerSecond: Double
        var timeoutMs: Int
        var unloadedSeconds: Int
        var loadedSeconds: Int
        var logLevel: String
        var seed: UInt64
    }

    /// The daemon's memory over a phase: VmRSS and RssAnon (KiB) at its start, highest and end, and how fast
    /// their floor rose at the end (KiB/s): the lowest sample of the last 10 s minus the lowest of the 10 s that
    /// ended 20 s earlier, over those 20 s; nil for a phase shorter than 30 s. Memory the daemon keeps raises
    /// the floor; what it frees within seconds does not. Under the load test RSS has peaks of 20–25 MiB that are
    /// gone 5 s later (answers, copies of shared tables), and a slope through the last 20 s of samples failed on
    /// such a peak as readily as on growth.
    struct Memory: Sendable, Codable {
        var samples: Int
        var rssStartKiB: Int
        var rssMaxKiB: Int
        var rssEndKiB: Int
        var anonStartKiB: Int
        var anonMaxKiB: Int
        var anonEndKiB: Int
        var rssFloorGrowthKiBPerSecond: Double?
        var anonFloorGrowthKiBPerSecond: Double?
    }

    /// The machine while a phase ran: the daemon's and the bench's CPU use (percent of one core) and the load
    /// average (other sessions share the machine).
    struct Machine: Sendable, Codable {
        var daemonCPUPercent: Double
        /// Time the daemon's threads spent runnable but waiting for a CPU, per second of the phase (percent; the
        /// sum over threads, so it can exceed 100): high when other work on the machine takes the cores.
        var daemonRunQueuePercent: Double
        var benchCPUPercent: Double
        var loadAverageStart: Double
        var loadAverageEnd: Double
    }

    struct Phase: Sendable, Codable {
        var engine: PhaseResult
        var memory: Memory
        var machine: Machine
        /// Runs per second from `metrics.get` (every job, every final status), to cross-check the subscriber.
        var metricsRunsPerSecond: Double
    }

    struct Check: Sendable, Codable {
        var name: String
        var passed: Bool
        var detail: String
    }

    var setup: Setup
    var unloaded: Phase
    var loaded: Phase
    var load: LoadResult
    /// `daemon.status` in the middle of the loaded phase: the connections and subscriptions it counted.
    var connectionsMidLoad: Int
    var subscribersMidLoad: Int
    /// Lines the daemon logged at warning or above (none expected).
    var daemonProblems: [String]
    var samples: [ProcessSample]
    var checks: [Check]

    var passed: Bool { checks.allSatisfy(\.passed) }

    // MARK: - Text

    var text: String {
        func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }
        func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
        func lateness(_ phase: Phase) -> String {
            let value = phase.engine.latenessMs
            return "p50 \(ms(value.p50))  p99 \(ms(value.p99))  max \(ms(value.max))  (\(value.count) starts)"
        }
        func runs(_ phase: Phase) -> String {
            String(
                format: "%.1f runs/s (per second %d–%d; metrics.get %.1f/s), %d failed, %d slots skipped",
                phase.engine.runsPerSecond, phase.engine.runsPerSecondMin, phase.engine.runsPerSecondMax,
                phase.metricsRunsPerSecond, phase.engine.failedRuns, phase.engine.skippedSlots)
        }
        func memory(_ phase: Phase) -> String {
            let memory = phase.memory
            return "RSS \(mib(memory.rssStartKiB)) → max \(mib(memory.rssMaxKiB)) → \(mib(memory.rssEndKiB)) "
                + "(anon \(mib(memory.anonStartKiB)) → \(mib(memory.anonMaxKiB)) → \(mib(memory.anonEndKiB)); "
                + "floor growth at the end: " + floor(memory.rssFloorGrowthKiBPerSecond, memory.anonFloorGrowthKiBPerSecond) + ")"
        }
        func floor(_ rss: Double?, _ anon: Double?) -> String {
            guard let rss, let anon else { return "not judged, phase under 30 s" }
            return String(format: "RSS %+.1f KiB/s, anon %+.1f KiB/s", rss, anon)
        }
        func machine(_ phase: Phase) -> String {
            String(
                format: "daemon CPU %.0f%% (and %.0f%% waiting for a CPU), bench CPU %.0f%%, load average %.2f → %.2f",
                phase.machine.daemonCPUPercent, phase.machine.daemonRunQueuePercent, phase.machine.benchCPUPercent,
                phase.machine.loadAverageStart, phase.machine.loadAverageEnd)
        }
        var lines = [
            "SOAK  \(setup.jobs) simulated jobs every \(setup.intervalMs) ms (target \(Int(setup.targetRunsPerSecond)) runs/s, "
                + "\(setup.durationMs) ms each), daemon log level \(setup.logLevel)",
            "",
            "UNLOADED  \(Int(unloaded.engine.seconds.rounded())) s, one event subscriber",
            "  start lateness  \(lateness(unloaded))",
            "  engine          \(runs(unloaded))",
            "  memory          \(memory(unloaded))",
            "  machine         \(machine(unloaded))",
            "",
            "LOADED  \(Int(loaded.engine.seconds.rounded())) s, \(setup.clients) clients "
                + String(format: "(~%.0f requests/s each", setup.requestsPerClientPerSecond)
                + ", \(setup.subscribers) following a job's events, \(setup.fullSubscribers) every event); "
                + "daemon counted \(connectionsMidLoad) connections, \(subscribersMidLoad) subscriptions",
            "  start lateness  \(lateness(loaded))",
            "  engine          \(runs(loaded))",
            "  memory          \(memory(loaded))",
            "  machine         \(machine(loaded))",
            "  requests        \(load.requests) answered ("
                + String(format: "%.0f/s", Double(load.requests) / max(loaded.engine.seconds, 1))
                + "), latency p50 \(ms(load.latencyMs.p50)) p99 \(ms(load.latencyMs.p99)) max \(ms(load.latencyMs.max)); "
                + "\(load.eventsReceived) events to subscribers",
            "  errors          \(load.errorCount)"
                + (load.errors.isEmpty ? "" : "  " + load.errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
        ]
        for sample in load.errorSamples.prefix(5) { lines.append("    \(sample)") }
        lines.append("  by request      (p50 / p99 / max ms, count)")
        for (kind, value) in load.byKind.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "    " + kind.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%7.1f %7.1f %7.1f  %6llu", value.p50, value.p99, value.max, value.count))
        }
        if !daemonProblems.isEmpty {
            lines.append("  daemon log      \(daemonProblems.count) lines at warning or above, first: \(daemonProblems[0])")
        }
        lines.append("")
        lines.append("CHECKS")
        for check in checks {
            lines.append("  \(check.passed ? "pass" : "FAIL")  \(check.name): \(check.detail)")
        }
        lines.append(passed ? "soak: passed" : "soak: FAILED")
        return lines.joined(separator: "\n")
    }
}

extension SoakReport.Memory {
    /// Summarizes the samples of one phase (in time order).
    init(samples: [ProcessSample]) {
        self.init(
            samples: samples.count, rssStartKiB: samples.first?.rssKiB ?? 0,
            rssMaxKiB: samples.map(\.rssKiB).max() ?? 0, rssEndKiB: samples.last?.rssKiB ?? 0,
            anonStartKiB: samples.first?.rssAnonKiB ?? 0, anonMaxKiB: samples.map(\.rssAnonKiB).max() ?? 0,
            anonEndKiB: samples.last?.rssAnonKiB ?? 0,
            rssFloorGrowthKiBPerSecond: Self.floorGrowth(samples, \.rssKiB),
            anonFloorGrowthKiBPerSecond: Self.floorGrowth(samples, \.rssAnonKiB))
    }

    /// The rise of the lowest `value` from the 10 s that ended 20 s before the last sample to the last 10 s,
    /// per second; nil when the samples span less than 30 s.
    static func floorGrowth(_ samples: [ProcessSample], _ value: KeyPath<ProcessSample, Int>) -> Double? {
        guard let first = samples.first?.atSeconds, let end = samples.last?.atSeconds, end - first >= 30 else { return nil }
        let last = samples.filter { $0.atSeconds > end - 10 }.map { $0[keyPath: value] }.min()
        let earlier = samples.filter { $0.atSeconds > end - 30 && $0.atSeconds <= end - 20 }.map { $0[keyPath: value] }.min()
        guard let last, let earlier else { return nil }
        return Double(last - earlier) / 20
    }
}
