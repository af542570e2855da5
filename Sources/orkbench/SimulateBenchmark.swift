import ArgumentParser
import Foundation

/// Row 11: `orkctl simulate` of a day of 1,000 jobs, the whole command as an operator runs it.
///
/// The release `orkctl` beside this program runs the generated 1,000-job configuration of the simulation tests
/// (`LargeConfig.swift`: intervals from 10 s to 1 h and cron, five types with limits, retries, deadlines, jitter,
/// triggers, quiet hours; about 1.3 million events a day) for 24 h from a fixed start, its report going to
/// /dev/null. Start-up, loading the configuration, the simulation and the report all count.
struct SimulateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Wall time of `orkctl simulate` of 1,000 jobs for 24 h (release build)."
    )

    @Option(help: ArgumentHelp("The configuration to simulate.", valueName: "path"))
    var config = "Tests/OrkestronSimulationTests/Fixtures/generated-1000-jobs.toml"

    @Option(help: ArgumentHelp("The orkctl to run. (default: the one beside orkbench)", valueName: "path"))
    var orkctl: String?

    @OptionGroup var options: BenchmarkOptions

    static let targetSeconds = 2.0

    func run() async throws {
        let program = orkctl ?? Self.besideSelf("orkctl")
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw ValidationError("no orkctl at \(program): build it (swift build -c release --product orkctl) or pass --orkctl")
        }
        let arguments = [program, "simulate", config, "--duration", "24h", "--start", "2026-03-02T00:00:00Z"]
        // One run first, untimed: it reads the binary and the configuration into the page cache.
        let warmUp = try runChild(arguments)
        guard warmUp.status == 0 else { throw ValidationError("\(arguments.joined(separator: " ")) failed") }
        var wall: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<options.repeats {
            let cost = try runChild(arguments)
            wall.append(cost.wallSeconds)
            cpu.append(cost.cpuSeconds)
        }
        let median = wall.median
        let met = median <= Self.targetSeconds
        print(
            "simulate: 1,000 jobs for 24 h in \(String(format: "%.2f", median)) s wall, "
                + "\(String(format: "%.2f", cpu.median)) s CPU — target ≤ 2 s: \(met ? "met" : "missed")")
        let result = BenchmarkResult(
            measure: "simulate.day-1000-jobs", title: "orkctl simulate: 1,000 jobs for 24 h", unit: "s",
            higherIsBetter: false, ours: median, raw: wall,
            target: .init(text: "≤ 2 s", met: met),
            method: """
                `\(arguments.dropFirst().joined(separator: " ")) > /dev/null` with the release orkctl, after one \
                untimed run; wall time of the whole command, median of \(options.repeats) repeats (CPU time, user + \
                system, in the notes)
                """,
            notes: ["CPU seconds per repeat: " + cpu.map { String(format: "%.3f", $0) }.joined(separator: ", ")])
        if let path = options.json { try result.write(to: path) }
    }

    /// A program in the folder of the running executable.
    static func besideSelf(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
