import OrkestronCore
import Testing

@testable import OrkestronConfig

/// The `--check-config` summary.
@Suite("Summary")
struct SummaryTests {
    /// The example configuration's summary, verbatim.
    @Test("summary of the example configuration")
    func exampleSummary() throws {
        let configuration = try ConfigLoader.load(path: Harness.exampleConfigPath, environment: Harness.environment)
        #expect(configuration.summary() == """
            files        \(Harness.exampleConfigPath)
            jobs         5: 1 sync, 1 metrics, 1 batch, 1 cleanup, 1 untyped
            schedules    2 interval, 2 cron, 1 manual
            workloads    2 command, 3 simulated
            quiet hours  night 22:00-06:00 mon-fri Europe/Berlin, types batch, cleanup, defer
            limits       8 global; sync 4
            seed         42
            """)
    }

    /// Several files and windows get one line each; an absent seed says it is chosen at start.
    @Test("summary with drop-ins, several windows and no seed")
    func multiLineSummary() throws {
        let main = """
            [[quiet_hours]]
            name = "weekend"
            from = "00:00"
            to = "00:00"
            days = ["sat", "sun"]

            [[quiet_hours]]
            name = "maintenance"
            from = "02:00:30"
            to = "03:00"
            days = ["sun", "mon", "tue", "thu"]
            jobs = ["a"]
            action = "skip"
            """
        let configuration = try Harness.load(main, dropIns: [("conf.d/jobs.toml", "[[job]]\nid = \"a\"\n")])
        #expect(configuration.summary() == """
            files        orkestron.toml
                         conf.d/jobs.toml
            jobs         1: 1 untyped
            schedules    0 interval, 0 cron, 1 manual
            workloads    0 command, 1 simulated
            quiet hours  weekend 00:00-00:00 sat,sun UTC, all jobs, defer
                         maintenance 02:00:30-03:00 mon,tue,thu,sun UTC, jobs a, skip
            limits       8 global
            seed         random (chosen at start)
            """)
    }
}
