import ArgumentParser
import Foundation

/// `orkbench all`: every row of issue 7's table in one run, then docs/BENCHMARKS.md's table and
/// docs/benchmarks.json (a `--quick` run prints its table and writes JSON under .build/ only: its numbers are
/// not for publishing).
///
/// Each step is one measure's subcommand, parsed from the same options, so running it alone measures the same
/// way. A step that cannot run (a peer missing, a daemon that does not start) becomes a line that says why, and
/// the others still run; targets are reported, never enforced: the exit status is 0 unless a step could not run.
struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every measure of issue 7 and write docs/BENCHMARKS.md and docs/benchmarks.json.",
        discussion: """
            A full run takes some 7 minutes (the lateness rows are most of it: 60 s and 2 × 30 s for each of \
            orkestrond and APScheduler); --quick takes about a minute and a half and never touches docs/.
            """
    )

    @OptionGroup var options: BenchOptions

    @Option(help: ArgumentHelp("The document whose generated table is replaced (a full run only).", valueName: "path"))
    var document = "docs/BENCHMARKS.md"

    @Option(help: ArgumentHelp("The JSON written beside it (a full run only).", valueName: "path"))
    var documentJSON = "docs/benchmarks.json"

    @Option(help: ArgumentHelp("Run only these steps, comma-separated (cron, engine, lateness, burst, status, startup, fanout, process-runs, memory, simulate, history).", valueName: "list"))
    var only: String?

    /// One measure, the rows it fills and how to run it.
    struct Step {
        var name: String
        var rows: [String]
        var run: @Sendable ([String]) async throws -> [BenchResult]
    }

    static let steps: [Step] = [
        Step(name: "cron", rows: ["1"]) { try await CronBenchmark.parse($0).measure() },
        Step(name: "engine", rows: ["2"]) { try await EngineBenchmark.parse($0).measure() },
        Step(name: "lateness", rows: ["3a", "8"]) { try await StartLateness.parse($0).measure() },
        Step(name: "burst", rows: ["3b"]) { try await StartLateness.parse($0 + ["--burst"]).measure() },
        Step(name: "status", rows: ["4"]) { try await StatusRoundTrips.parse($0).measure() },
        Step(name: "startup", rows: ["9", "5"]) { try await StartupReady.parse($0).measure() },
        Step(name: "fanout", rows: ["6"]) { try await EventFanout.parse($0).measure() },
        Step(name: "process-runs", rows: ["7"]) { try await ProcessRuns.parse($0).measure() },
        Step(name: "memory", rows: ["8", "10"]) { try await DaemonMemory.parse($0).measure() },
        Step(name: "simulate", rows: ["11"]) { try await SimulateBenchmark.parse($0).measure() },
        Step(name: "history", rows: ["12"]) { try await HistoryWrites.parse($0).measure() },
    ]

    func validate() throws {
        let names = Set(Self.steps.map(\.name))
        for name in selected where !names.contains(name) {
            throw ValidationError("--only: no step \"\(name)\" (steps: \(Self.steps.map(\.name).joined(separator: ", ")))")
        }
    }

    private var selected: [String] {
        only.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? Self.steps.map(\.name)
    }

    func run() async throws {
        var machine = MachineDescription.current()
        let began = BenchClock.monotonicNanoseconds()
        let steps = Self.steps.filter { selected.contains($0.name) }
        print("orkbench all\(options.quick ? " --quick" : ""): \(steps.count) steps on \(machine.cpu), load \(BenchResult.format(machine.loadAverageBefore.first))")
        var results: [BenchResult] = []
        var failures = 0
        for (index, step) in steps.enumerated() {
            print("== [\(index + 1)/\(steps.count)] \(step.name) (row \(step.rows.joined(separator: ", ")))")
            let stepBegan = BenchClock.monotonicNanoseconds()
            do {
                let lines = try await step.run(options.arguments)
                for line in lines { print("   " + line.line) }
                results += lines
            } catch {
                failures += 1
                print("   could not run: \(error)")
                results.append(
                    BenchResult.failed(
                        row: step.rows.joined(separator: ", "), measure: step.name, title: "`orkbench \(step.name)`",
                        target: "—", error: "\(error)"))
            }
            let elapsed = BenchClock.seconds(from: stepBegan, to: BenchClock.monotonicNanoseconds())
            print("   \(step.name): \(String(format: "%.1f", elapsed)) s (total \(String(format: "%.0f", BenchClock.seconds(from: began, to: BenchClock.monotonicNanoseconds()))) s)")
        }
        machine.loadAverageAfter = MachineDescription.loadAverages()
        let elapsed = BenchClock.seconds(from: began, to: BenchClock.monotonicNanoseconds())
        let order = ["1", "2", "3a", "3b", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
        results.sort { (order.firstIndex(of: $0.row) ?? order.count) < (order.firstIndex(of: $1.row) ?? order.count) }
        let report = BenchmarksDocument(
            machine: machine, command: "orkbench all" + (options.quick ? " --quick" : ""), quick: options.quick,
            elapsedSeconds: elapsed, results: results)
        print("")
        print(report.markdown)
        if options.quick || only != nil {
            let path = options.json ?? ".build/bench/quick.json"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try BenchResult.encoder.encode(report).write(to: URL(fileURLWithPath: path))
            print("\n\(options.quick ? "--quick" : "--only"): docs/ left as they are; results in \(path)")
        } else {
            try report.write(document: document, json: documentJSON)
            if let path = options.json { try BenchResult.encoder.encode(report).write(to: URL(fileURLWithPath: path)) }
            print("\nwrote \(document) and \(documentJSON)")
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
