import ArgumentParser
import Foundation

/// Row 10: how often an idle daemon wakes up.
///
/// A daemon whose next run is an hour away should sleep: every thread's voluntary context switches
/// (`/proc/PID/task/*/status`, one per block-and-wake) are summed at the start and the end of the window, after a
/// settle time. The benchmark sets no watchdog, so the target is 0. Threads that appear or vanish meanwhile count
/// from 0 or are named in the details.
struct IdleWakeups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle", abstract: "Row 10: wake-ups of an idle daemon (next run an hour away).")

    @OptionGroup var options: DaemonBenchOptions

    @Option(help: "Seconds observed.")
    var seconds: Double = 30

    @Option(help: "Seconds between READY=1 and the first reading.")
    var settle: Double = 3

    @Option(help: "Jobs (interval 1 h, next slot an hour away).")
    var jobs = 100

    func run() async throws {
        let loadBefore = BenchClock.loadAverage()
        // Offset 0: every slot is a whole interval after the start, an hour away.
        let config = BenchConfig.intervalJobs(count: jobs, intervalMs: 3_600_000) { _ in 0 }
        let daemon = try BenchDaemon(binary: options.daemon, config: config)
        defer { daemon.cleanUp() }
        try await daemon.start()
        try await Task.sleep(for: .milliseconds(Int64(settle * 1_000)))
        let before = ProcessStatus.voluntarySwitches(pid: daemon.pid)
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
        let after = ProcessStatus.voluntarySwitches(pid: daemon.pid)
        // Per thread alive at the end (a thread born meanwhile counts from 0; one that ended took its count
        // with it, so the sum is a lower bound only when threads came and went, which the details show).
        var perThread: [String: Double] = [:]
        var wakeups = 0.0
        for (thread, count) in after.threads {
            let delta = count - (before.threads[thread] ?? 0)
            wakeups += Double(delta)
            if delta != 0 { perThread["thread \(thread)"] = Double(delta) }
        }
        for thread in before.threads.keys where after.threads[thread] == nil { perThread["ended \(thread)"] = 0 }
        print(
            "  \(MeasureReport.format(wakeups)) voluntary context switches in \(MeasureReport.format(seconds)) s"
                + (perThread.isEmpty ? "" : " (\(perThread.map { "\($0.key): \(Int($0.value))" }.sorted().joined(separator: ", ")))"))
        let report = MeasureReport(
            measure: "10", title: "wake-ups while idle in \(MeasureReport.format(seconds)) s (next run an hour away)",
            unit: "wake-ups", ours: wakeups, peer: nil, peerName: nil, ratio: nil,
            target: "0 beyond the watchdog (none set: 0)", met: wakeups == 0,
            method: """
                Release orkestrond with \(jobs) interval jobs every hour (next slot an hour away), no watchdog, no \
                client connected; voluntary_ctxt_switches summed over /proc/PID/task/*/status, \
                \(MeasureReport.format(settle)) s after READY=1 and \(MeasureReport.format(seconds)) s later.
                """,
            loadAverage: [loadBefore, BenchClock.loadAverage()], details: perThread,
            raw: ["total before": [Double(before.total)], "total after": [Double(after.total)]])
        try report.emit(json: options.json)
    }
}
