import ArgumentParser

/// `orkbench`: the benchmarks of `make bench`, each a subcommand measuring the real release programs (or the
/// store) beside a peer doing the same work, and printing one line (and, with `--json PATH`, a result file).
@main
struct Orkbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orkbench",
        abstract: "Measure Orkestron beside its peers.",
        subcommands: [StatusRoundTrips.self, ListLatency.self, ProcessRuns.self, HistoryWrites.self]
    )
}
