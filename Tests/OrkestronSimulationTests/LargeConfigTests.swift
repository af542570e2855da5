import Foundation
import OrkestronConfig
import OrkestronCore
import OrkestronSimulation
import Testing

/// The 1,000-job configuration that `orkctl simulate` is timed on (no timing here: that is measured on a
/// release build, see docs/SIMULATION.md).
@Suite("Large generated configuration")
struct LargeConfigTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/" + LargeConfig.fixtureName)

    @Test("the committed fixture is the generator's output (ORKESTRON_UPDATE_GOLDEN=1 rewrites it)")
    func fixtureIsGenerated() throws {
        let generated = LargeConfig.text()
        if ProcessInfo.processInfo.environment["ORKESTRON_UPDATE_GOLDEN"] == "1" {
            try Data(generated.utf8).write(to: Self.fixture)
        }
        let committed = try String(contentsOf: Self.fixture, encoding: .utf8)
        #expect(committed == generated)
    }

    @Test("the fixture loads as 1,002 jobs and an hour of it (across the end of quiet hours) simulates with contention and failures")
    func fixtureSimulates() throws {
        let configuration = try ConfigLoader.load(path: Self.fixture.path)
        #expect(configuration.jobs.count == 1_002)
        let report = try Simulator.run(
            SimulationSetup(
                configuration: configuration, start: Instant(iso8601: "2026-03-02T04:30:00Z")!,
                durationMs: 3_600_000))
        #expect(report.total.runs > 10_000)
        #expect(report.total.failures > 0)
        #expect(report.total.deferredTotal > 0)
        #expect(!report.findings.isEmpty)
    }
}
