import ArgumentParser

/// `orkbench`: the load test and the benchmarks of `orkestrond`, for developers (not installed, not in the package).
@main
struct Orkbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orkbench",
        abstract: "Load tests and benchmarks of orkestrond.",
        subcommands: [
            SoakCommand.self, CronBenchmark.self, EngineBenchmark.self, SimulateBenchmark.self, StartLateness.self,
            EventFanout.self, DaemonMemory.self, StartupReady.self, IdleWakeups.self, StatusRoundTrips.self,
            ListLatency.self, ProcessRuns.self, HistoryWrites.self,
        ]
    )
}
