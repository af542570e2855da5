import ArgumentParser
import OrkestronCore
import OrkestronMetrics

/// Row 2: simulated runs per second through the engine, each run's whole life (SCHEDULED → QUEUED → RUNNING →
/// SUCCESS) with every event recorded in the daemon's metrics.
///
/// The daemon's own engine and metrics aggregator, driven the way the daemon's driver and the simulator drive
/// them: advance to the next wake-up, hand every event to the metrics. The clock is manual, so the measure is
/// the engine's work, not sleeping. The jobs are interval jobs (every minute, offsets spread over the minute,
/// simulated workloads of 1-5 s that never fail) under no concurrency limit, so nothing but the engine's own
/// bookkeeping decides the rate; 1,000 and 100,000 of them show how it scales with the timer heap and the job
/// tables.
struct EngineBenchmark: Measure {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Row 2: simulated runs per second through the engine with metrics, at 1k and 100k jobs."
    )

    @Option(name: .customLong("jobs"), help: ArgumentHelp("Job counts to measure; repeatable.", valueName: "n"))
    var jobCounts: [Int] = [1_000, 100_000]

    @Option(help: ArgumentHelp("Runs per repeat and job count (about; whole minutes of every job). (default: 300000, 50000 with --quick)", valueName: "n"))
    var runs: Int?

    @Option(help: ArgumentHelp("Repeats; the median is reported. (default: 3, 1 with --quick)", valueName: "n"))
    var repeats: Int?

    @Flag(inversion: .prefixedNo, help: "Record every event in the metrics aggregator, as the daemon does.")
    var metrics = true

    @OptionGroup var options: BenchOptions

    static let target = 1_000_000.0
    static let intervalMs: Int64 = 60_000

    func validate() throws {
        guard jobCounts.allSatisfy({ $0 >= 1 }), (runs ?? 1) >= 1, (repeats ?? 1) >= 1 else {
            throw ValidationError("--jobs, --runs and --repeats must be positive")
        }
    }

    func measure() async throws -> [BenchResult] {
        let runs = self.runs ?? options.pick(300_000, quick: 50_000)
        let repeats = self.repeats ?? options.pick(3, quick: 1)
        var results: [BenchResult] = []
        for jobs in jobCounts {
            let loadBefore = MachineDescription.loadAverage()
            let minutes = max(1, (runs + jobs - 1) / jobs)
            var raw: [Double] = []
            var last = Outcome(seconds: 0, runs: 0, events: 0)
            for _ in 0..<repeats {
                last = Self.measure(jobs: jobs, minutes: minutes, metrics: metrics)
                raw.append(Double(last.runs) / last.seconds)
            }
            let median = raw.median
            results.append(
                BenchResult(
                    row: "2", measure: "engine.runs.\(jobs)",
                    title: "engine: simulated runs/s, full lifecycle, metrics \(metrics ? "on" : "off"), \(BenchResult.format(Double(jobs))) jobs",
                    ours: median, unit: "runs/s", target: "≥ 1,000,000 runs/s", met: median >= Self.target,
                    method: method(jobs: jobs, minutes: minutes, repeats: repeats), raw: .init(ours: raw),
                    loadAverage: [loadBefore, MachineDescription.loadAverage()],
                    details: [
                        "runsPerRepeat": Double(last.runs), "eventsPerRepeat": Double(last.events),
                        "nsPerEvent": last.seconds / Double(last.events) * 1e9,
                    ]))
        }
        return results
    }

    func method(jobs: Int, minutes: Int, repeats: Int) -> String {
        """
        OrkestronCore.Engine on a manual clock: \(jobs) interval jobs (every 60 s, offsets spread over the minute, \
        simulated 1-5 s, no failures, no concurrency limit) for \(minutes) virtual minutes; advance(to: nextWakeup) \
        and \(metrics ? "every event recorded by MetricsAggregator" : "metrics off"); runs = SUCCESS events; \
        thread CPU time of the loop (engine construction excluded); median of \(repeats) repeats
        """
    }

    struct Outcome {
        var seconds: Double
        var runs: Int
        var events: Int
    }

    static func measure(jobs count: Int, minutes: Int, metrics recordMetrics: Bool) -> Outcome {
        let start = Instant(iso8601: "2026-03-02T00:00:00Z")!
        let width = String(count).count
        let definitions = (0..<count).map { index in
            let digits = String(index)
            return JobDefinition(
                id: "job_" + String(repeating: "0", count: width - digits.count) + digits,
                schedule: .interval(everyMs: intervalMs, offsetMs: Int64(index) * intervalMs / Int64(count)),
                workload: .simulated(SimulatedWorkload(failureRate: 0, minDurationMs: 1_000, maxDurationMs: 5_000)))
        }
        var engine = Engine(jobs: definitions, settings: EngineSettings(maxConcurrency: count, seed: 1), now: start)
        var metrics = MetricsAggregator(jobTypes: Dictionary(uniqueKeysWithValues: definitions.map { ($0.id, String?.none) }))
        var actions: [EngineAction] = []
        actions.reserveCapacity(1_024)
        // Slots fall at start + k minutes + offset (k ≥ 1); the last minute's runs end within 5 s of its slot.
        let end = start + Int64(minutes + 1) * intervalMs
        var runs = 0
        var events = 0

        let began = threadCPUSeconds()
        while let wake = engine.nextWakeup, wake < end {
            engine.advance(to: wake, into: &actions)
            for action in actions {
                guard case .event(let event) = action else { continue }
                events += 1
                if event.status == .success { runs += 1 }
                if recordMetrics { metrics.record(event) }
            }
            actions.removeAll(keepingCapacity: true)
        }
        let seconds = threadCPUSeconds() - began
        blackHole(metrics)
        return Outcome(seconds: seconds, runs: runs, events: events)
    }
}
