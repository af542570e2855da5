import Histogram
import OrkestronCore
import OrkestronMetrics
import Testing

/// A distribution is kept as exact values until it has many, then as an HDR histogram; the summaries must not
/// tell the two forms apart, so a job's percentiles do not change when its distribution changes form.
@Suite("Percentiles of few and many values")
struct PercentileFormTests {
    /// What the daemon reported when every distribution was an HDR histogram from its first value.
    private func histogramPercentiles(_ values: [Int64]) -> Percentiles {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for value in values { histogram.record(UInt64(clamping: value)) }
        return Percentiles(
            count: Int(histogram.totalCount), p50: Int64(histogram.valueAtPercentile(50)),
            p90: Int64(histogram.valueAtPercentile(90)), p99: Int64(histogram.valueAtPercentile(99)),
            max: Int64(histogram.maxRecorded))
    }

    /// Durations of every size class (0, exact below 2048, rounded above), in counts on both sides of the switch.
    @Test("exact values give the histogram's percentiles", arguments: [1, 2, 3, 7, 10, 99, 128, 129, 300])
    func sameAsHistogram(count: Int) {
        var random = SplitMix64(seed: UInt64(count), stream: "percentiles")
        let start = Instant(secondsSinceEpoch: 1_800_000_000)
        var metrics = MetricsAggregator(jobTypes: ["j": nil])
        var durations: [Int64] = []
        for index in 0..<count {
            let scale: Int64 = [1, 100, 5_000, 3_000_000][index % 4]
            let duration = random.next(in: 0, scale)
            durations.append(duration)
            let run = "j-\(index)"
            let at = start + Int64(index) * 10_000_000
            metrics.record(Event(seq: 0, time: at, jobId: "j", runId: run, status: .queued, attempt: 1))
            metrics.record(Event(seq: 0, time: at, jobId: "j", runId: run, status: .running, attempt: 1))
            metrics.record(
                Event(seq: 0, time: at + duration, jobId: "j", runId: run, status: .success, attempt: 1,
                    durationMs: duration))
        }
        let snapshot = metrics.snapshot(at: start + Int64(count) * 10_000_000)
        #expect(snapshot.jobs["j"]?.durationMs == histogramPercentiles(durations))
        #expect(snapshot.total.durationMs == histogramPercentiles(durations))
    }
}
