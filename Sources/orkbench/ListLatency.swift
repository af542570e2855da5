import ArgumentParser
import Foundation

/// Row 5: `orkctl list --json` against a daemon holding 10,000 jobs, the whole command from exec to exit.
///
/// No peer: the target is absolute (≤ 50 ms). The jobs are interval jobs an hour apart, so every summary has
/// a schedule text and a next run, as on a real host, and none runs during the measurement.
struct ListLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-latency", abstract: "orkctl list --json with 10k jobs, exec to exit.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Jobs in the daemon's configuration.")
    var jobs: Int = 10_000

    static func config(jobs: Int) -> String {
        var text = """
            [daemon]
            seed = 1
            timezone = "UTC"
            max_concurrency = 8

            """
        let types = ["sync", "cleanup", "batch", "metrics"]
        for index in 0..<jobs {
            text += """
                [[job]]
                id = "job_\(String(format: "%05d", index))"
                type = "\(types[index % types.count])"
                interval = "1h"
                offset = "\(index % 3_600)s"

                """
        }
        return text
    }

    func run() async throws {
        let loadBefore = Statistics.loadAverage()
        let daemon = try DaemonUnderTest.start(binDir: options.binDir, config: Self.config(jobs: jobs), label: "list")
        var times: [Double] = []
        var bytes = 0
        do {
            let command = [options.binDir + "/orkctl", "--socket", daemon.socketPath, "list", "--json"]
            let output = daemon.folder.path + "/list.json"
            for index in 0..<(options.repeats + 1) {
                let (status, nanos) = try ChildProcess.timed(command, stdout: output)
                guard status == 0 else { throw BenchError("orkctl list exited \(status)") }
                if index > 0 { times.append(Double(nanos) / 1e6) }  // the first warms the page cache
            }
            let text = try String(contentsOfFile: output, encoding: .utf8)
            bytes = text.utf8.count
            let rows = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any])?.count ?? -1
            guard rows == jobs else { throw BenchError("orkctl list --json printed \(rows) jobs, expected \(jobs)") }
        } catch {
            daemon.stop()
            throw error
        }
        daemon.stop()
        let median = Statistics.median(times)
        let result = BenchResult(
            measure: "list.json.10k", ours: median, peer: nil, unit: "ms", ratio: nil, target: "≤ 50 ms",
            met: median <= 50,
            method: """
                Wall time from posix_spawn to waitpid of `orkctl --socket S list --json` (stdout to a file) against \
                the release orkestrond holding \(jobs) interval jobs (every 1h, four types); one warm-up run, then \
                the median of \(options.repeats). The output (\(bytes) bytes) is parsed and must list every job.
                """,
            raw: .init(ours: times, peer: []), loadAverage: [loadBefore, Statistics.loadAverage()],
            details: ["outputBytes": Double(bytes), "minMs": times.min() ?? 0])
        try BenchResult.report([result], to: options.json)
    }
}
