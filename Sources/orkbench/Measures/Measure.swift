import ArgumentParser

/// A subcommand that measures rows of issue 7's table: `orkbench all` runs each one's `measure()` in turn, alone it
/// prints its lines (and writes them with `--json`).
protocol Measure: AsyncParsableCommand {
    var options: BenchOptions { get }

    func measure() async throws -> [BenchResult]
}

extension Measure {
    func run() async throws {
        try BenchResult.report(try await measure(), to: options.json)
    }
}
