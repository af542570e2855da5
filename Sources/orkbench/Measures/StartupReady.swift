import ArgumentParser
import Foundation

/// Row 9: time from exec to READY=1 with 10,000 jobs, cold (fresh state folder: the database is created and every
/// definition inserted) and warm (a second start on the same state); and row 5 on the last warm daemon, which
/// holds the same 10,000 jobs (`ListLatency`).
///
/// The bench is the daemon's service manager: it binds the `NOTIFY_SOCKET` datagram socket and takes
/// `CLOCK_MONOTONIC` just before `posix_spawn` and when `READY=1` arrives.
struct StartupReady: Measure {
    static let configuration = CommandConfiguration(
        commandName: "startup", abstract: "Rows 9 and 5: exec to READY=1 with 10k jobs (cold, warm), then orkctl list --json.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Jobs in the configuration.")
    var jobs = 10_000

    @Option(help: "Cold/warm pairs; the median is reported. (default: 3; 2 with --quick)")
    var repeats: Int?

    @Option(help: "Runs of orkctl list after an untimed one; the median is reported. (default: 3; 2 with --quick)")
    var listRepeats: Int?

    func measure() async throws -> [BenchResult] {
        let repeats = self.repeats ?? options.pick(3, quick: 2)
        let listRepeats = self.listRepeats ?? options.pick(3, quick: 2)
        let loadBefore = MachineDescription.loadAverage()
        // Hourly jobs of the four types, slots spread over the hour: every summary has a schedule and a next run,
        // as on a real host, and none runs while measured.
        let config = BenchConfig.intervalJobs(
            count: jobs, intervalMs: 3_600_000, types: ["sync", "cleanup", "batch", "metrics"]
        ) { Int64($0) * 3_600_000 / Int64(jobs) }
        var cold: [Double] = []
        var warm: [Double] = []
        var list: ListLatency.Outcome?
        for index in 0..<repeats {
            let daemon = try DaemonUnderTest(binary: options.daemon, configuration: config, label: "startup")
            do {
                cold.append(Double(try await daemon.start()) / 1_000)
                await daemon.stop()
                warm.append(Double(try await daemon.start()) / 1_000)
                if index == repeats - 1 {
                    list = try ListLatency.measure(
                        orkctl: options.orkctl, socketPath: daemon.socketPath, jobs: jobs, repeats: listRepeats,
                        folder: daemon.directory)
                }
                await daemon.cleanUp()
            } catch {
                await daemon.cleanUp()
                throw error
            }
        }
        let loadAfter = MachineDescription.loadAverage()
        let method = """
            Release orkestrond with \(jobs) interval jobs every hour; the bench binds NOTIFY_SOCKET and times \
            CLOCK_MONOTONIC from just before posix_spawn to the READY=1 datagram. Cold: fresh state folder; warm: \
            the same daemon started again on its state after a SIGTERM. Median of \(repeats).
            """
        var results = [
            BenchResult(
                row: "9", measure: "startup.ready.cold", title: "exec to READY=1 with 10,000 jobs, cold",
                ours: cold.median, unit: "ms", target: "≤ 200 ms", met: cold.median <= 200, method: method,
                raw: .init(ours: cold), loadAverage: [loadBefore, loadAfter], details: ["min": cold.min() ?? .nan]),
            BenchResult(
                row: "9", measure: "startup.ready.warm", title: "exec to READY=1 with 10,000 jobs, warm",
                ours: warm.median, unit: "ms", target: "≤ 200 ms", met: warm.median <= 200, method: method,
                raw: .init(ours: warm), loadAverage: [loadBefore, loadAfter], details: ["min": warm.min() ?? .nan]),
        ]
        if let list {
            results.append(
                BenchResult(
                    row: "5", measure: "list.json.10k", title: "`orkctl list --json` with 10,000 jobs, whole command",
                    ours: list.times.median, unit: "ms", target: "≤ 50 ms", met: list.times.median <= 50,
                    method: """
                        Wall time from posix_spawn to waitpid of `orkctl --socket S list --json` (stdout to a file) \
                        against the release orkestrond of the last warm start above, holding \(jobs) interval jobs \
                        (every 1 h, four types); one untimed run, then the median of \(listRepeats). The output \
                        (\(list.bytes) bytes) is parsed and must list every job.
                        """,
                    raw: .init(ours: list.times), loadAverage: [loadBefore, loadAfter],
                    details: ["outputBytes": Double(list.bytes), "minMs": list.times.min() ?? .nan]))
        }
        return results
    }
}
