import ArgumentParser
import Foundation

/// Row 8: the daemon's resident memory with 10,000 and 100,000 jobs.
///
/// Interval jobs every hour, slots spread over it (so the engine holds a timer per job but runs nothing while
/// measured): VmRSS after READY=1 and `--settle` seconds, and VmHWM (the peak, which start-up sets).
struct DaemonMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Row 8: daemon RSS with 10k and 100k jobs.")

    @OptionGroup var options: DaemonBenchOptions

    @Option(help: "Seconds between READY=1 and the reading.")
    var settle: Double = 5

    @Option(help: "Starts per job count (the median is reported).")
    var repeats = 3

    func run() async throws {
        let loadBefore = BenchClock.loadAverage()
        var details: [String: Double] = [:]
        var raw: [String: [Double]] = [:]
        var rssOf: [Int: Double] = [:]
        for jobs in [10_000, 100_000] {
            var rss: [Double] = []
            var peak: [Double] = []
            for _ in 0..<repeats {
                let config = BenchConfig.intervalJobs(count: jobs, intervalMs: 3_600_000) {
                    Int64($0) * 3_600_000 / Int64(jobs)
                }
                let daemon = try BenchDaemon(binary: options.daemon, config: config)
                defer { daemon.cleanUp() }
                try await daemon.start()
                try await Task.sleep(for: .milliseconds(Int64(settle * 1_000)))
                rss.append(Double(ProcessStatus.kilobytes("VmRSS", pid: daemon.pid) ?? 0) / 1_024)
                peak.append(Double(ProcessStatus.kilobytes("VmHWM", pid: daemon.pid) ?? 0) / 1_024)
            }
            let name = jobs == 10_000 ? "10k" : "100k"
            rssOf[jobs] = median(rss)
            details["\(name) RSS"] = median(rss)
            details["\(name) peak RSS (VmHWM)"] = median(peak)
            raw["\(name) RSS MB"] = rss
            raw["\(name) VmHWM MB"] = peak
            print(
                "  \(name) jobs: RSS \(MeasureReport.format(median(rss))) MB, peak \(MeasureReport.format(median(peak))) MB"
                    + "  (load \(MeasureReport.format(BenchClock.loadAverage())))")
        }
        let small = rssOf[10_000] ?? .nan
        let large = rssOf[100_000] ?? .nan
        let report = MeasureReport(
            measure: "8", title: "daemon RSS with 10k jobs (100k in the details)", unit: "MB", ours: small, peer: nil,
            peerName: nil, ratio: nil, target: "≤ 40 MB (10k), ≤ 200 MB (100k)", met: small <= 40 && large <= 200,
            method: """
                Release orkestrond with 10,000 and 100,000 interval jobs every hour (slots spread over it, so nothing \
                runs), fresh state; VmRSS from /proc/PID/status \(MeasureReport.format(settle)) s after READY=1, and \
                VmHWM; median of \(repeats) starts. MB = 2^20 bytes.
                """,
            loadAverage: [loadBefore, BenchClock.loadAverage()], details: details, raw: raw)
        try report.emit(json: options.json)
    }
}
