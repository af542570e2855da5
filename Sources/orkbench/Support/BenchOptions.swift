import ArgumentParser

/// Options every measure takes.
struct BenchOptions: ParsableArguments {
    @Option(help: "Write the result as JSON to this file.")
    var json: String?

    @Option(help: "Repeats of each measurement; the median is reported (at least 5).")
    var repeats: Int = 5

    @Option(help: "Folder of the release programs under test.")
    var binDir: String = ".build/release"

    @Option(help: "Folder of the peer driver scripts.")
    var peersDir: String = "Sources/orkbench/Peers"

    func validate() throws {
        guard repeats >= 5 else { throw ValidationError("--repeats must be at least 5 (medians over fewer mislead)") }
    }
}
