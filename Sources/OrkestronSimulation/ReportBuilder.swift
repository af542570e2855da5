import OrkestronConfig
import OrkestronCore

/// Turns the tallies of a finished simulation into its report.
struct ReportBuilder {
    let setup: SimulationSetup
    let jobs: [JobDefinition]
    let settings: EngineSettings
    let tally: SimulationTally

    func build() -> SimulationReport {
        let definitions = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        var jobReports: [SimulationReport.Job] = []
        var byType: [String: (jobs: [Int], level: SimulationReport.Level)] = [:]
        var total = SimulationReport.Level()
        for (index, job) in tally.jobs.enumerated() {
            guard let definition = definitions[job.id] else { continue }
            let level = Self.level(job)
            jobReports.append(
                SimulationReport.Job(
                    id: job.id, type: definition.type, schedule: SimulationFormat.schedule(definition.schedule),
                    stats: level))
            if let type = definition.type {
                byType[type, default: ([], SimulationReport.Level())].jobs.append(index)
                byType[type, default: ([], SimulationReport.Level())].level.add(level)
            }
            total.add(level)
        }
        addLatencies(of: Array(tally.jobs.indices), into: &total)
        total.peakQueueDepth = tally.global.peakQueued

        var types: [SimulationReport.TypeSummary] = []
        for group in tally.groups {
            guard let name = group.name, let entry = byType[name] else { continue }
            var level = entry.level
            addLatencies(of: entry.jobs, into: &level)
            level.peakQueueDepth = group.peakQueued
            let capacity = group.limit.map { min($0, settings.maxConcurrency) }
            types.append(
                SimulationReport.TypeSummary(
                    name: name, jobs: entry.jobs.count, maxConcurrency: group.limit, stats: level,
                    busyMs: group.busyMs,
                    utilization: capacity.map { Self.fraction(group.busyMs, of: Int64($0) * setup.durationMs) }))
        }
        types.sort { $0.name < $1.name }

        let seed = setup.effectiveSeed
        var report = SimulationReport(
            configFiles: setup.configuration.files, seed: seed.value, seedSource: seed.source, start: setup.start,
            end: setup.end, durationMs: setup.durationMs, maxConcurrency: settings.maxConcurrency,
            failureRates: setup.failureRates, jobs: jobReports.sorted { $0.id < $1.id }, types: types, total: total,
            busyMs: tally.global.busyMs,
            utilization: Self.fraction(tally.global.busyMs, of: Int64(settings.maxConcurrency) * setup.durationMs),
            findings: [], eventCount: tally.eventCount)
        report.findings = FindingsAnalyzer(
            report: report, definitions: definitions, settings: settings, tally: tally
        ).findings()
        return report
    }

    static func level(_ job: SimulationTally.JobTally) -> SimulationReport.Level {
        var level = SimulationReport.Level()
        level.slots = job.slots
        level.runs = job.runs
        level.successes = job.successes
        level.failures = job.failures
        level.timeouts = job.timeouts
        level.cancelled = job.cancelled
        level.retries = job.retries
        level.skipped = job.skipped
        level.deferred = job.deferred
        level.unfinished = job.open.count
        level.durationMs = job.durations.percentiles
        level.latenessMs = job.lateness.percentiles
        level.queueWaitMs = job.waits.percentiles
        level.peakQueueDepth = job.peakQueued
        return level
    }

    /// Percentiles cannot be added up from the jobs': they come from the jobs' samples taken together.
    private func addLatencies(of jobs: [Int], into level: inout SimulationReport.Level) {
        level.durationMs = Samples.percentiles(of: jobs.map { tally.jobs[$0].durations })
        level.latenessMs = Samples.percentiles(of: jobs.map { tally.jobs[$0].lateness })
        level.queueWaitMs = Samples.percentiles(of: jobs.map { tally.jobs[$0].waits })
    }

    static func fraction(_ part: Int64, of whole: Int64) -> Double {
        whole > 0 ? Double(part) / Double(whole) : 0
    }
}
