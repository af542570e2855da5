import ArgumentParser
import Foundation

/// Row 9: time from exec to READY=1 with 10,000 jobs, cold (fresh state folder: the database is created and
/// every definition inserted) and warm (a second start on the same state).
///
/// The benchmark is the daemon's service manager: it binds the `NOTIFY_SOCKET` datagram socket and takes
/// `CLOCK_MONOTONIC` just before `posix_spawn` and when `READY=1` arrives.
struct StartupReady: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup", abstract: "Row 9: exec to READY=1 with 10k jobs, cold and warm.")

    @OptionGroup var options: DaemonBenchOptions

    @Option(help: "Jobs in the configuration.")
    var jobs = 10_000

    @Option(help: "Cold/warm pairs (the median is reported).")
    var repeats = 5

    func run() async throws {
        let loadBefore = BenchClock.loadAverage()
        let config = BenchConfig.intervalJobs(count: jobs, intervalMs: 3_600_000) { Int64($0) * 3_600_000 / Int64(jobs) }
        var cold: [Double] = []
        var warm: [Double] = []
        for _ in 0..<repeats {
            let daemon = try BenchDaemon(binary: options.daemon, config: config)
            defer { daemon.cleanUp() }
            cold.append(Double(try await daemon.start()) / 1_000)
            daemon.stop()
            warm.append(Double(try await daemon.start()) / 1_000)
        }
        let coldMedian = median(cold)
        let warmMedian = median(warm)
        print(
            "  \(jobs) jobs: cold \(MeasureReport.format(coldMedian)) ms, warm \(MeasureReport.format(warmMedian)) ms"
                + "  (load \(MeasureReport.format(BenchClock.loadAverage())))")
        let report = MeasureReport(
            measure: "9", title: "exec to READY=1 with 10k jobs, cold (warm in the details)", unit: "ms", ours: coldMedian,
            peer: nil, peerName: nil, ratio: nil, target: "≤ 200 ms", met: coldMedian <= 200 && warmMedian <= 200,
            method: """
                Release orkestrond with \(jobs) interval jobs every hour; the benchmark binds NOTIFY_SOCKET and \
                times CLOCK_MONOTONIC from just before posix_spawn to the READY=1 datagram. Cold: fresh state \
                folder; warm: the same daemon started again on its state after a SIGTERM. Median of \(repeats).
                """,
            loadAverage: [loadBefore, BenchClock.loadAverage()],
            details: ["warm": warmMedian, "cold min": cold.min() ?? .nan, "warm min": warm.min() ?? .nan],
            raw: ["cold ms": cold, "warm ms": warm])
        try report.emit(json: options.json)
    }
}
