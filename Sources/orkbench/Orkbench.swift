import ArgumentParser

/// `orkbench`: the load test and the benchmarks of `orkestrond`, for developers (not installed, not in the package).
///
/// Each measure is a subcommand in a file of its own (`all` runs every one and writes docs/BENCHMARKS.md); the
/// daemon measures start the real release daemon in a temporary folder, so what they report is what an installed
/// daemon does, without root, systemd or the system's paths.
@main
struct Orkbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orkbench",
        abstract: "Load tests and benchmarks of orkestrond.",
        subcommands: [
            AllCommand.self, CronBenchmark.self, EngineBenchmark.self, StartLateness.self, StatusRoundTrips.self,
            StartupReady.self, EventFanout.self, ProcessRuns.self, DaemonMemory.self, SimulateBenchmark.self,
            HistoryWrites.self, SoakCommand.self,
        ]
    )
}
