import ArgumentParser
import Foundation

/// Row 8 at 100,000 jobs, and row 10 on the same daemon: its resident memory, then its wake-ups while idle.
///
/// 100,000 interval jobs every hour, all with offset 0, so the engine holds a timer per job and the next run is an
/// hour away: VmRSS after READY=1 and `--settle` seconds (VmHWM, the peak start-up sets, in the details), then the
/// voluntary context switches of all its threads over `--idle-seconds` (`IdleWakeups`). Row 8 at 10,000 jobs comes
/// from the 10k-job lateness run (`lateness`).
struct DaemonMemory: Measure {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Rows 8 (100k jobs) and 10: daemon RSS, then wake-ups while idle.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Jobs. (default: 100000; 20000 with --quick)")
    var jobs: Int?

    @Option(help: "Seconds between READY=1 and the RSS reading.")
    var settle: Double = 3

    @Option(help: "Seconds of idleness observed. (default: 30; 3 with --quick)")
    var idleSeconds: Double?

    func measure() async throws -> [BenchResult] {
        let jobs = self.jobs ?? options.pick(100_000, quick: 20_000)
        let idleSeconds = self.idleSeconds ?? options.pick(30, quick: 3)
        let loadBefore = MachineDescription.loadAverage()
        // Offset 0: every slot is a whole interval after the start, an hour away.
        let config = BenchConfig.intervalJobs(count: jobs, intervalMs: 3_600_000) { _ in 0 }
        let daemon = try DaemonUnderTest(binary: options.daemon, configuration: config, label: "memory")
        let readyUs: Int64
        let rss: Double
        let peak: Double
        let idle: IdleWakeups.Outcome
        do {
            readyUs = try await daemon.start()
            try await Task.sleep(for: .milliseconds(Int64(settle * 1_000)))
            rss = Double(ProcessSample.kilobytes("VmRSS", pid: daemon.pid) ?? 0) / 1_024
            peak = Double(ProcessSample.kilobytes("VmHWM", pid: daemon.pid) ?? 0) / 1_024
            idle = try await IdleWakeups.measure(pid: daemon.pid, seconds: idleSeconds)
            await daemon.cleanUp()
        } catch {
            await daemon.cleanUp()
            throw error
        }
        let loadAfter = MachineDescription.loadAverage()
        let count = BenchResult.format(Double(jobs))
        return [
            BenchResult(
                row: "8", measure: "memory.rss.\(jobs / 1_000)k", title: "daemon RSS with \(count) jobs (each hourly)",
                ours: rss, unit: "MiB", target: "≤ 200 MB", met: rss <= 200,
                method: """
                    Release orkestrond with \(jobs) interval jobs every hour (next run an hour away), fresh state; \
                    VmRSS from /proc/PID/status \(BenchResult.format(settle)) s after READY=1, VmHWM in the details. \
                    One start (a 100k-job start takes seconds). MiB = 2^20 bytes.
                    """,
                raw: .init(ours: [rss]), loadAverage: [loadBefore, loadAfter],
                details: ["peakRssMiB": peak, "readyMs": Double(readyUs) / 1_000]),
            BenchResult(
                row: "10", measure: "idle.wakeups",
                title: "wake-ups while idle, \(BenchResult.format(idleSeconds)) s, next run an hour away (\(count) jobs)",
                ours: idle.wakeups, unit: "wake-ups", target: "0 beyond the watchdog (none set: 0)",
                met: idle.wakeups == 0,
                method: """
                    The same daemon, no watchdog, no client connected: voluntary_ctxt_switches summed over \
                    /proc/PID/task/*/status, after the RSS reading and \(BenchResult.format(idleSeconds)) s later; a \
                    thread born meanwhile counts from 0 (per-thread counts in the details).
                    """,
                loadAverage: [loadBefore, loadAfter], details: idle.perThread),
        ]
    }
}
