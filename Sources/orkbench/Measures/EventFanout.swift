import ArgumentParser
import Foundation

/// Row 6: how long an engine event takes to reach a subscriber, with 100 subscribers and 1,000 events/s.
///
/// 250 jobs every second, slots spread over it, simulated with duration 0: each run is 4 events (SCHEDULED,
/// QUEUED, RUNNING, SUCCESS), 1,000 events/s, each delivered to all 100 subscribers (100,000 lines/s). Every
/// subscriber is a blocking socket on its own thread that stamps each line when `read(2)` returns it; latency
/// = that wall-clock time − the event's own `time`, both `CLOCK_REALTIME` on this machine. The event's time is
/// in whole milliseconds, truncated, so the difference can only overstate the latency (by less than 1 ms; the
/// driver stamps the instant it woke, which it does just after a slot's millisecond begins).
struct EventFanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Row 6: event fan-out latency, engine event to subscriber, 100 subscribers, 1,000 events/s.")

    @OptionGroup var options: DaemonBenchOptions

    @Option(help: "Seconds measured (after the warm-up).")
    var seconds: Double = 20

    @Option(help: "Seconds after subscribing that are not counted.")
    var warmup: Double = 3

    @Option(help: "Subscribers.")
    var subscribers = 100

    @Option(help: "Events per second (4 per run of a zero-duration job).")
    var eventsPerSecond = 1_000

    func run() async throws {
        let loadBefore = BenchClock.loadAverage()
        let jobs = max(eventsPerSecond / 4, 1)
        let config = BenchConfig.intervalJobs(count: jobs, intervalMs: 1_000) { Int64($0) * 1_000 / Int64(jobs) }
        let daemon = try BenchDaemon(binary: options.daemon, config: config)
        defer { daemon.cleanUp() }
        try await daemon.start()
        var taps: [EventTap] = []
        for _ in 0..<subscribers {
            taps.append(try EventTap(socketPath: daemon.socketPath, params: "{}"))
        }
        let windowStartMs = BenchClock.wallMicroseconds() / 1_000 + Int64(warmup * 1_000)
        let windowEndMs = windowStartMs + Int64(seconds * 1_000)
        try await Task.sleep(for: .milliseconds(windowEndMs - BenchClock.wallMicroseconds() / 1_000 + 1_000))
        var latencies: [Double] = []
        var perSubscriberP99: [Double] = []
        var events = 0
        for tap in taps {
            var mine: [Double] = []
            for sample in tap.finish() where sample.timeMs >= windowStartMs && sample.timeMs < windowEndMs {
                mine.append(Double(sample.receivedUs - sample.timeMs * 1_000) / 1_000)
            }
            events = max(events, mine.count)
            perSubscriberP99.append(Percentiles(mine).p99)
            latencies.append(contentsOf: mine)
        }
        let all = Percentiles(latencies)
        let loadAfter = BenchClock.loadAverage()
        print(
            "  \(subscribers) subscribers, \(events) events each in \(MeasureReport.format(seconds)) s: p50 \(MeasureReport.format(all.p50)) ms"
                + "  p99 \(MeasureReport.format(all.p99)) ms  max \(MeasureReport.format(all.max)) ms")
        let report = MeasureReport(
            measure: "6", title: "event fan-out p99, engine event to subscriber, 100 subscribers, 1,000 events/s",
            unit: "ms", ours: all.p99, peer: nil, peerName: nil, ratio: nil, target: "≤ 1 ms", met: all.p99 <= 1,
            method: """
                Release orkestrond, \(jobs) zero-duration interval jobs every 1 s spread over the second (4 events \
                per run: \(jobs * 4) events/s), \(subscribers) subscribers to every event, each a blocking socket \
                on its own thread; latency = CLOCK_REALTIME when read(2) returned the line − the event's time \
                (whole ms, truncated: overstates by < 1 ms). \(MeasureReport.format(seconds)) s after a \
                \(MeasureReport.format(warmup)) s warm-up; percentiles over all subscribers' samples.
                """,
            loadAverage: [loadBefore, loadAfter],
            details: [
                "p50": all.p50, "max": all.max, "samples": Double(all.count), "events per subscriber": Double(events),
                "median of subscribers' p99": median(perSubscriberP99),
            ],
            raw: ["per-subscriber p99 ms": perSubscriberP99])
        try report.emit(json: options.json)
    }
}
