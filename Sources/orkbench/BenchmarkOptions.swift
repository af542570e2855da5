import ArgumentParser

/// The options every measure takes.
struct BenchmarkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Repeats of the whole measure; the reported value is their median.", valueName: "n"))
    var repeats = 5

    @Option(help: ArgumentHelp("Also write the result as JSON to PATH.", valueName: "path"))
    var json: String?

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }
}
