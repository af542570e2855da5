import ArgumentParser
import Foundation

/// Options every daemon measure takes.
struct DaemonBenchOptions: ParsableArguments {
    @Option(help: "The daemon under test (a release build: `make release`).")
    var daemon = ".build/release/orkestrond"

    @Option(help: "Also write the result as JSON to this file.")
    var json: String?

    /// The peer driver scripts, beside this file's folder in the source tree (`make bench` runs from there).
    static var peersDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Peers").path
    }
}
