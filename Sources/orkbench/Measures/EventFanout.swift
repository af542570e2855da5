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
struct EventFanout: Measure {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Row 6: event fan-out latency, engine event to subscriber, 100 subscribers, 1,000 events/s.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Seconds measured after the warm-up. (default: 6; 3 with --quick)")
    var seconds: Double?

    @Option(help: "Seconds after subscribing that are not counted. (default: 3; 1 with --quick)")
    var warmup: Double?

    @Option(help: "Subscribers.")
    var subscribers = 100

    @Option(help: "Events per second (4 per run of a zero-duration job).")
    var eventsPerSecond = 1_000

    func measure() async throws -> [BenchResult] {
        let seconds = self.seconds ?? options.pick(6, quick: 3)
        let warmup = self.warmup ?? options.pick(3, quick: 1)
        let loadBefore = MachineDescription.loadAverage()
        let jobs = max(eventsPerSecond / 4, 1)
        let config = BenchConfig.intervalJobs(count: jobs, intervalMs: 1_000) { Int64($0) * 1_000 / Int64(jobs) }
        let daemon = try DaemonUnderTest(binary: options.daemon, configuration: config, label: "fanout")
        var latencies: [Double] = []
        var perSubscriberP99: [Double] = []
        var events = 0
        do {
            try await daemon.start()
            var taps: [EventTap] = []
            for _ in 0..<subscribers {
                taps.append(try EventTap(socketPath: daemon.socketPath, params: "{}"))
            }
            let windowStartMs = BenchClock.wallMicroseconds() / 1_000 + Int64(warmup * 1_000)
            let windowEndMs = windowStartMs + Int64(seconds * 1_000)
            try await Task.sleep(for: .milliseconds(windowEndMs - BenchClock.wallMicroseconds() / 1_000 + 1_000))
            for tap in taps {
                var mine: [Double] = []
                for sample in tap.finish() where sample.timeMs >= windowStartMs && sample.timeMs < windowEndMs {
                    mine.append(Double(sample.receivedUs - sample.timeMs * 1_000) / 1_000)
                }
                events = max(events, mine.count)
                perSubscriberP99.append(Percentiles(mine).p99)
                latencies.append(contentsOf: mine)
            }
            await daemon.cleanUp()
        } catch {
            await daemon.cleanUp()
            throw error
        }
        let all = Percentiles(latencies)
        guard all.count > 0 else { throw BenchError("no event reached the subscribers in the window") }
        return [
            BenchResult(
                row: "6", measure: "fanout.p99", title: "event fan-out p99, engine event to subscriber, \(subscribers) subscribers, \(BenchResult.format(Double(jobs * 4))) events/s",
                ours: all.p99, unit: "ms", target: "≤ 1 ms", met: all.p99 <= 1,
                method: """
                    Release orkestrond, \(jobs) zero-duration interval jobs every 1 s spread over the second (4 events \
                    per run: \(jobs * 4) events/s), \(subscribers) subscribers to every event, each a blocking socket \
                    on its own thread; latency = CLOCK_REALTIME when read(2) returned the line − the event's time \
                    (whole ms, truncated: overstates by < 1 ms). \(BenchResult.format(seconds)) s after a \
                    \(BenchResult.format(warmup)) s warm-up; percentiles over all subscribers' samples.
                    """,
                raw: .init(ours: perSubscriberP99), loadAverage: [loadBefore, MachineDescription.loadAverage()],
                details: [
                    "p50": all.p50, "max": all.max, "samples": Double(all.count), "eventsPerSubscriber": Double(events),
                    "medianOfSubscribersP99": perSubscriberP99.median,
                ])
        ]
    }
}
