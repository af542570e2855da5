import OrkestronConfig
import OrkestronCore
import OrkestronSimulation
import Testing

/// Small configurations simulated from text, for tests that read like the behaviour they check.
enum Harness {
    /// Midnight UTC, Sunday 2026-03-01: a fixed start, so cron slots and quiet hours fall the same every run.
    static let start = Instant(iso8601: "2026-03-01T00:00:00Z")!

    static func configuration(_ toml: String) throws -> Configuration {
        try ConfigLoader.load(sources: [ConfigSource(path: "test.toml", text: toml)])
    }

    static func simulate(
        _ toml: String, duration: String, seed: UInt64? = nil, failureRates: [FailureRateOverride] = [],
        start: Instant = Harness.start
    ) throws -> SimulationReport {
        try simulateCollecting(toml, duration: duration, seed: seed, failureRates: failureRates, start: start).report
    }

    static func simulateCollecting(
        _ toml: String, duration: String, seed: UInt64? = nil, failureRates: [FailureRateOverride] = [],
        start: Instant = Harness.start
    ) throws -> (report: SimulationReport, events: [Event]) {
        let setup = SimulationSetup(
            configuration: try configuration(toml), start: start, durationMs: DurationText.parse(duration)!,
            seed: seed, failureRates: failureRates)
        var events: [Event] = []
        let report = try Simulator.run(setup) { events.append($0) }
        return (report, events)
    }
}
