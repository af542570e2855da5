import ArgumentParser

/// `orkbench`: the benchmarks of docs/BENCHMARKS.md, each a subcommand that prints a line and, with `--json`,
/// writes its row. `make bench` runs them on the release build.
@main
struct Orkbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orkbench",
        abstract: "Measure Orkestron beside its peers (make bench).",
        subcommands: [
            StartLateness.self, EventFanout.self, DaemonMemory.self, StartupReady.self, IdleWakeups.self,
        ])
}
