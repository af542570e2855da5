import ArgumentParser

/// `orkbench`: Orkestron's benchmarks, each beside its target and, where one exists, a peer doing the same work.
///
/// Not installed: `make bench` builds it in release mode and runs it. Each subcommand measures one row of
/// docs/BENCHMARKS.md, prints a line a person can read, and with `--json PATH` writes the numbers behind it.
@main
struct Orkbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orkbench",
        abstract: "Measure Orkestron against its targets and its peers.",
        subcommands: [CronBenchmark.self, EngineBenchmark.self, SimulateBenchmark.self]
    )
}
