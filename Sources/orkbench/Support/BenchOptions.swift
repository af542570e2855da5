import ArgumentParser

/// The options every measure takes (and `orkbench all` hands on to each).
struct BenchOptions: ParsableArguments {
    @Flag(help: "Shorten every measure (a smoke test: seconds instead of minutes); never for published numbers.")
    var quick = false

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: ArgumentHelp("Folder of the release programs under test (orkestrond, orkctl).", valueName: "dir"))
    var binDir = ".build/release"

    @Option(help: ArgumentHelp("Folder of the peers' driver scripts.", valueName: "dir"))
    var peersDir = "Sources/orkbench/Peers"

    @Option(help: ArgumentHelp("The Python that runs the peers' drivers (with APScheduler 3, croniter and cronsim: make bench-deps).", valueName: "path"))
    var python = "python3"

    var daemon: String { binDir + "/orkestrond" }
    var orkctl: String { binDir + "/orkctl" }

    /// `value` for a full run, `quick` with `--quick`.
    func pick<Value>(_ value: Value, quick short: Value) -> Value {
        quick ? short : value
    }

    /// The command-line form of these options, for `orkbench all` to hand each measure (without `--json`).
    var arguments: [String] {
        ["--bin-dir", binDir, "--peers-dir", peersDir, "--python", python] + (quick ? ["--quick"] : [])
    }
}
