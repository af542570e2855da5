import ArgumentParser
import Foundation

/// Rows 3a and 3b: how late jobs start on the wall clock, orkestrond beside APScheduler 3 on the same schedule.
///
/// Workloads (each run for `--seconds` after a warm-up, ours then the peer's, never both at once):
/// spread: 1,000 jobs every 1 s with their slots spread one per millisecond over the second, and 10,000 jobs
/// every 10 s likewise; `--burst`: 1,000 jobs every 1 s all due at the same instant.
///
/// Our lateness: the daemon's jobs are simulated with zero duration, so a run's start is the engine input that
/// emits its `RUNNING` event. That event carries the run's `slot` and its own `time`, but both in whole
/// milliseconds (the engine's resolution), too coarse for a 0.2 ms target; so the benchmark subscribes to
/// `RUNNING` events and takes the wall-clock time their bytes arrive (µs) minus the slot. That is the actual
/// start plus the event's trip to a subscriber, an upper bound that never flatters the daemon; the daemon's own
/// millisecond record (`time − slot`) is reported beside it. The peer's lateness is its job's first statement's
/// `time.time()` minus APScheduler's `scheduled_run_time`.
struct StartLateness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lateness",
        abstract: "Rows 3a/3b: start lateness of 1,000 interval jobs (spread or burst), ours and APScheduler's.")

    @OptionGroup var options: DaemonBenchOptions

    @Flag(help: "All 1,000 jobs due at the same instant every second (row 3b) instead of spread over it (3a).")
    var burst = false

    @Option(help: "Seconds measured per workload and scheduler (after the warm-up).")
    var seconds: Double = 60

    @Option(help: "Seconds after the start whose slots are not counted (the first runs warm caches).")
    var warmup: Double = 3

    @Flag(help: "Measure orkestrond only.")
    var noPeer = false

    @Option(help: "The Python interpreter that runs the peer (with apscheduler<4 installed: make bench-deps).")
    var python = "python3"

    struct Workload {
        var name: String
        var jobs: Int
        var intervalMs: Int64
    }

    func run() async throws {
        let workloads =
            burst
            ? [Workload(name: "1k/1s burst", jobs: 1_000, intervalMs: 1_000)]
            : [
                Workload(name: "1k/1s", jobs: 1_000, intervalMs: 1_000),
                Workload(name: "10k/10s", jobs: 10_000, intervalMs: 10_000),
            ]
        let loadBefore = BenchClock.loadAverage()
        var details: [String: Double] = [:]
        var raw: [String: [Double]] = [:]
        var primary: (ours: Percentiles, peer: Percentiles?)?
        var peerName: String?
        for workload in workloads {
            let ours = try await measureOurs(workload)
            details["\(workload.name) ours p50"] = ours.upperBound.p50
            details["\(workload.name) ours p99"] = ours.upperBound.p99
            details["\(workload.name) ours max"] = ours.upperBound.max
            details["\(workload.name) ours samples"] = Double(ours.upperBound.count)
            details["\(workload.name) ours recorded p50 (1 ms resolution)"] = ours.recorded.p50
            details["\(workload.name) ours recorded p99 (1 ms resolution)"] = ours.recorded.p99
            details["\(workload.name) ours recorded max (1 ms resolution)"] = ours.recorded.max
            details["\(workload.name) ours expected runs"] = Double(ours.expected)
            raw["\(workload.name) ours lateness ms"] = ours.upperBound.sorted
            print(
                "  \(workload.name) orkestrond: p50 \(fmt(ours.upperBound.p50)) ms  p99 \(fmt(ours.upperBound.p99)) ms"
                    + "  max \(fmt(ours.upperBound.max)) ms  (\(ours.upperBound.count) of \(ours.expected) runs;"
                    + " recorded p99 \(fmt(ours.recorded.p99)) ms)  load \(fmt(BenchClock.loadAverage()))")
            var peer: Percentiles?
            if !noPeer {
                let result = try await measurePeer(workload)
                peer = result.lateness
                peerName = result.name
                details["\(workload.name) peer p50"] = result.lateness.p50
                details["\(workload.name) peer p99"] = result.lateness.p99
                details["\(workload.name) peer max"] = result.lateness.max
                details["\(workload.name) peer samples"] = Double(result.lateness.count)
                details["\(workload.name) peer missed"] = Double(result.missed)
                raw["\(workload.name) peer lateness ms"] = result.lateness.sorted
                print(
                    "  \(workload.name) \(result.name): p50 \(fmt(result.lateness.p50)) ms  p99 \(fmt(result.lateness.p99)) ms"
                        + "  max \(fmt(result.lateness.max)) ms  (\(result.lateness.count) runs, \(result.missed) missed)"
                        + "  load \(fmt(BenchClock.loadAverage()))")
            }
            if primary == nil { primary = (ours.upperBound, peer) }
        }
        guard let primary else { return }
        let ours = primary.ours.p99
        let peer = primary.peer?.p99
        let met: Bool
        let target: String
        if burst {
            target = "p99 ≤ 1/10 of APScheduler's"
            met = peer.map { ours <= $0 / 10 } ?? false
        } else {
            target = "p99 ≤ 0.2 ms and ≤ ½ of APScheduler's"
            met = ours <= 0.2 && (peer.map { ours <= $0 / 2 } ?? true)
        }
        let report = MeasureReport(
            measure: burst ? "3b" : "3a",
            title: burst ? "start lateness p99, 1,000 jobs due at once every 1 s" : "start lateness p99, 1,000 jobs every 1 s spread",
            unit: "ms", ours: ours, peer: peer, peerName: peerName, ratio: peer.map { ours / $0 }, target: target,
            met: met,
            method: """
                Release orkestrond, \(burst ? "1,000 interval jobs every 1 s all due at the same instant" : "1,000 interval jobs every 1 s, one slot per millisecond (and 10,000 every 10 s likewise)"), \
                simulated with duration 0, global slots = job count; slots in \(Self.format(seconds)) s after a \
                \(Self.format(warmup)) s warm-up. Ours: receive time (CLOCK_REALTIME, µs) of each RUNNING event at a \
                subscriber minus the run's slot: the start plus the event's trip, an upper bound; the daemon's own \
                record (RUNNING time − slot, whole ms) in the details. Peer: APScheduler 3, same jobs and slots, \
                no-op jobs on its default thread pool (10 workers), misfire_grace_time=None; lateness = time.time() \
                at the job's start − scheduled_run_time. Run one after the other, same machine.
                """,
            loadAverage: [loadBefore, BenchClock.loadAverage()], details: details, raw: raw)
        try report.emit(json: options.json)
    }

    private func fmt(_ value: Double) -> String { MeasureReport.format(value) }

    private static func format(_ value: Double) -> String { MeasureReport.format(value) }

    /// Runs the daemon on the workload; returns the upper-bound lateness (ms, µs resolution) and the daemon's
    /// own record (ms), for slots in the window.
    private func measureOurs(_ workload: Workload) async throws -> (upperBound: Percentiles, recorded: Percentiles, expected: Int) {
        let config = BenchConfig.intervalJobs(count: workload.jobs, intervalMs: workload.intervalMs) { index in
            burst ? 0 : Int64(index) * workload.intervalMs / Int64(workload.jobs)
        }
        let daemon = try BenchDaemon(binary: options.daemon, config: config)
        defer { daemon.cleanUp() }
        try await daemon.start()
        let tap = try EventTap(socketPath: daemon.socketPath, params: "{\"statuses\":[\"RUNNING\"]}")
        let windowStartMs = BenchClock.wallMicroseconds() / 1_000 + Int64(warmup * 1_000)
        let windowEndMs = windowStartMs + Int64(seconds * 1_000)
        // The last slots of the window, plus a second for their events to arrive.
        try await Task.sleep(for: .milliseconds(windowEndMs - BenchClock.wallMicroseconds() / 1_000 + 1_000))
        let samples = tap.finish()
        var upper: [Double] = []
        var recorded: [Double] = []
        for sample in samples {
            guard let slot = sample.slotMs, slot >= windowStartMs, slot < windowEndMs else { continue }
            upper.append(Double(sample.receivedUs - slot * 1_000) / 1_000)
            recorded.append(Double(sample.timeMs - slot))
        }
        let expected = workload.jobs * Int((Double(windowEndMs - windowStartMs) / Double(workload.intervalMs)).rounded())
        return (Percentiles(upper), Percentiles(recorded), expected)
    }

    private struct PeerOutput: Decodable {
        var peer: String
        var lateness_us: [Int64]
        var missed: Int
    }

    private func measurePeer(_ workload: Workload) async throws -> (name: String, lateness: Percentiles, missed: Int) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("orkbench-aps-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var arguments = [
            DaemonBenchOptions.peersDirectory + "/apscheduler_lateness.py", "--jobs", "\(workload.jobs)",
            "--interval-ms", "\(workload.intervalMs)", "--seconds", "\(seconds)", "--warmup", "\(warmup)",
            "--out", output,
        ]
        if burst { arguments.append("--burst") }
        let status = try await runProcess(python, arguments)
        guard status == 0 else { throw BenchError("the APScheduler driver failed (exit \(status)); make bench-deps installs it") }
        let result = try JSONDecoder().decode(PeerOutput.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        return (result.peer, Percentiles(result.lateness_us.map { Double($0) / 1_000 }), result.missed)
    }
}

/// Runs a program found on PATH (or at a path) to its end; returns its exit status.
func runProcess(_ program: String, _ arguments: [String]) async throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    try process.run()
    while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
    return process.terminationStatus
}
