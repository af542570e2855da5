import Foundation

/// Row 5: `orkctl list --json` against a daemon holding many jobs, the whole command from exec to exit (no peer:
/// the target is absolute). `startup` runs it on its last warm daemon.
enum ListLatency {
    struct Outcome {
        /// Milliseconds per timed run.
        var times: [Double]
        /// Size of the JSON printed.
        var bytes: Int
    }

    static func measure(orkctl: String, socketPath: String, jobs: Int, repeats: Int, folder: String) throws -> Outcome {
        guard access(orkctl, X_OK) == 0 else {
            throw BenchError("no orkctl at \(orkctl): build it (swift build -c release --product orkctl)")
        }
        let command = [orkctl, "--socket", socketPath, "list", "--json"]
        let output = folder + "/list.json"
        var times: [Double] = []
        for index in 0..<(repeats + 1) {
            let cost = try ChildProcess.run(command, stdout: output, stderr: .inherit)
            guard cost.status == 0 else { throw BenchError("orkctl list exited \(cost.status)") }
            if index > 0 { times.append(cost.wallSeconds * 1_000) }  // the first warms the page cache
        }
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let rows = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any])?.count ?? -1
        guard rows == jobs else { throw BenchError("orkctl list --json printed \(rows) jobs, expected \(jobs)") }
        return Outcome(times: times, bytes: text.utf8.count)
    }
}
