import OrkestronConfig
import OrkestronCore
import OrkestronMetrics

/// Runs a configuration through the engine on a virtual clock and reports what happened.
///
/// This is the daemon's engine, not a model of it: the same `Engine` with the same definitions, settings and
/// seed, advanced from one timer to the next instead of sleeping. Simulated workloads complete through the
/// engine's own timers, so a run's duration and failure come from the job's random stream exactly as they
/// would in the daemon. What differs is only what the wall clock adds there: a late timer, a slow process.
///
/// ```swift
/// let report = try Simulator.run(SimulationSetup(configuration: config, start: start, durationMs: 86_400_000))
/// print(report.text)
/// ```
public enum Simulator {
    /// Runs the setup; `onEvent` sees every event in order (for `--events`). The window is `[start, end)`:
    /// timers due at `end` belong to the next window.
    public static func run(
        _ setup: SimulationSetup, onEvent: ((Event) -> Void)? = nil
    ) throws(SimulationError) -> SimulationReport {
        guard setup.durationMs > 0 else { throw .invalidDuration(setup.durationMs) }
        var jobs = setup.simulatedJobs
        let chaos = try chaosTargets(setup.failureRates, jobs: jobs, typeNames: setup.configuration.typeNames)
        // The chaos input, like every input, first handles the timers due at its instant, so a cron slot at the
        // very start would start its attempt before the override. Giving the workloads the same rate makes the
        // override hold from the first instant; the engine draws `chaos ?? failureRate`, so both agree.
        let rates = Dictionary(chaos.flatMap { target in target.ids.map { ($0, target.rate) } }) { _, last in last }
        for index in jobs.indices {
            guard let rate = rates[jobs[index].id], case .simulated(var workload) = jobs[index].workload else { continue }
            workload.failureRate = rate
            jobs[index].workload = .simulated(workload)
        }
        var settings = setup.configuration.engineSettings
        settings.seed = setup.effectiveSeed.value

        var tally = SimulationTally(
            jobs: jobs, settings: settings, typeNames: setup.configuration.typeNames, start: setup.start)
        var actions: [EngineAction] = []
        actions.reserveCapacity(1_024)
        var engine = Engine(jobs: jobs, settings: settings, now: setup.start, into: &actions)
        for (ids, rate) in chaos {
            do {
                try engine.setChaos(
                    jobIds: ids, rate: rate, forMs: nil, by: "simulate --failure-rate", at: setup.start, into: &actions)
            } catch {
                // `chaosTargets` resolved every id against the same job list.
                preconditionFailure("failure-rate target vanished: \(error)")
            }
        }
        let end = setup.end
        while true {
            for action in actions {
                guard case .event(let event) = action else { continue }
                tally.record(event)
                if let onEvent { onEvent(event) }
            }
            actions.removeAll(keepingCapacity: true)
            guard let wake = engine.nextWakeup, wake < end else { break }
            engine.advance(to: wake, into: &actions)
        }
        tally.integrate(to: end)
        return ReportBuilder(setup: setup, jobs: jobs, settings: settings, tally: tally).build()
    }

    /// The chaos inputs for the overrides: per override, the job ids it covers and the rate. Type overrides come
    /// first so that an override of one job wins over one of its type, whatever the order of the flags.
    static func chaosTargets(
        _ overrides: [FailureRateOverride], jobs: [JobDefinition], typeNames: [String] = []
    ) throws(SimulationError) -> [(ids: [String], rate: Double)] {
        let ids = Set(jobs.map(\.id))
        var typed: [(ids: [String], rate: Double)] = []
        var single: [(ids: [String], rate: Double)] = []
        for override in overrides {
            let ofType = jobs.filter { $0.type == override.target }.map(\.id).sorted()
            if !ofType.isEmpty { typed.append((ofType, override.rate)) }
            if ids.contains(override.target) { single.append(([override.target], override.rate)) }
            // A `[types.X]` table without jobs is a valid target that covers nothing.
            if ofType.isEmpty && !ids.contains(override.target) && !typeNames.contains(override.target) {
                let names = ids.sorted() + Set(jobs.compactMap(\.type) + typeNames).sorted()
                throw .unknownFailureRateTarget(
                    override.target, suggestion: Suggestions.closest(to: override.target, in: names))
            }
        }
        return typed + single
    }
}
