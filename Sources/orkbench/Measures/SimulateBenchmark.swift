import ArgumentParser
import Foundation

/// Row 11: `orkctl simulate` of a day of 1,000 jobs, the whole command as an operator runs it.
///
/// The release `orkctl` beside this program runs the generated 1,000-job configuration of the simulation tests
/// (`LargeConfig.swift`: intervals from 10 s to 1 h and cron, five types with limits, retries, deadlines, jitter,
/// triggers, quiet hours; about 1.3 million events a day) for 24 h from a fixed start, its report going to
/// /dev/null. Start-up, loading the configuration, the simulation and the report all count.
struct SimulateBenchmark: Measure {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Row 11: wall time of `orkctl simulate` of 1,000 jobs for 24 h (release build)."
    )

    @Option(help: ArgumentHelp("The configuration to simulate.", valueName: "path"))
    var config = "Tests/OrkestronSimulationTests/Fixtures/generated-1000-jobs.toml"

    @Option(help: ArgumentHelp("Repeats after an untimed one; the median is reported. (default: 3, 1 with --quick)", valueName: "n"))
    var repeats: Int?

    @OptionGroup var options: BenchOptions

    static let targetSeconds = 2.0

    func measure() async throws -> [BenchResult] {
        let loadBefore = MachineDescription.loadAverage()
        let repeats = self.repeats ?? options.pick(3, quick: 1)
        // --quick simulates 2 h: the smoke test checks the path, not the day.
        let duration = options.pick("24h", quick: "2h")
        let arguments = [options.orkctl, "simulate", config, "--duration", duration, "--start", "2026-03-02T00:00:00Z"]
        guard access(options.orkctl, X_OK) == 0 else {
            throw BenchError("no orkctl at \(options.orkctl): build it (swift build -c release --product orkctl)")
        }
        // One run first, untimed: it reads the binary and the configuration into the page cache.
        let warmUp = try ChildProcess.run(arguments, stderr: .inherit)
        guard warmUp.status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) exited \(warmUp.status)") }
        var wall: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<repeats {
            let cost = try ChildProcess.run(arguments)
            wall.append(cost.wallSeconds)
            cpu.append(cost.cpuSeconds)
        }
        let median = wall.median
        return [
            BenchResult(
                row: "11", measure: "simulate.day-1000-jobs", title: "`orkctl simulate` of 1,000 jobs for \(duration)",
                ours: median, unit: "s", target: "≤ 2 s", met: median <= Self.targetSeconds,
                method: """
                    `\(arguments.dropFirst().joined(separator: " ")) > /dev/null` with the release orkctl, after one \
                    untimed run; wall time of the whole command, median of \(repeats) repeats (CPU time, user + \
                    system, in the details)
                    """,
                raw: .init(ours: wall), loadAverage: [loadBefore, MachineDescription.loadAverage()],
                details: ["cpuSeconds": cpu.median])
        ]
    }
}
