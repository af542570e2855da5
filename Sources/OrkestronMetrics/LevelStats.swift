import Histogram
import OrkestronCore

/// How a run ended, as counted.
enum FinalStatus: Sendable {
    case success, failed, timeout, cancelled, skipped
}

/// What one event changes in the counters of every level it belongs to (its job, its type, the total).
///
/// The aggregator works it out once per event, from the event and the run's previous phase, and applies it to the
/// three levels, so the levels cannot disagree.
struct EventEffect: Sendable {
    var finalStatus: FinalStatus?
    /// Attempts the finished run started, for the retry distribution; 0 when it started none (or is not finished).
    var attempts = 0
    /// The second the run finished in, for throughput.
    var second: Int64 = 0
    var durationMs: Int64?
    var latenessMs: Int64?
    var queueWaitMs: Int64?
    var queuedDelta = 0
    var runningDelta = 0
    var deferred = false
    var retry = false
}

/// The latency distributions of every level, in arrays that levels index into.
///
/// A distribution starts as the exact values recorded, and becomes an HDR histogram only past `exactLimit` values.
/// A histogram costs at least 16 KiB, and creating one was most of the cost of `record` (its auto-resize appends
/// zeros one by one through unspecialized generic code); with many jobs that each ran a few times, the
/// histograms alone took gigabytes. Percentiles of the exact values are computed as the histogram would compute
/// them (same rank, same bucket rounding), so when a distribution changes form, no reported value changes.
///
/// Living in arrays rather than in an `Optional` inside the level lets `record` update a distribution in place.
struct HistogramPool: Sendable {
    /// Values kept exactly per distribution; beyond this a distribution becomes a histogram.
    static let exactLimit = 128

    /// The exact values of each distribution that has no histogram yet (emptied when it gets one).
    private var exact: [[UInt64]] = []
    /// Per distribution: its index in `histograms`, or -1 while its values are exact. An index rather than an
    /// `Optional<Histogram>` keeps `record` to a plain in-place update: optionals of the generic histogram went
    /// through generic copies on every value.
    private var histogramIndex: [Int] = []
    private var histograms: [Histogram<UInt64>] = []

    /// Answers bucket questions only (it holds no values): every histogram here has the same layout, lowest
    /// discernible value 1 and three significant digits, whatever its size.
    private static let layout = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    /// Records `value` into the distribution `slot` names, creating it when `slot` is `nil`. Negative values (a
    /// clock step, a run started before its slot) count as 0.
    mutating func record(_ value: Int64, into slot: inout Int?) {
        let index: Int
        if let slot {
            index = slot
        } else {
            index = exact.count
            exact.append([])
            histogramIndex.append(-1)
            slot = index
        }
        let value = UInt64(clamping: value)
        let histogram = histogramIndex[index]
        if histogram >= 0 {
            histograms[histogram].record(value)
            return
        }
        exact[index].append(value)
        if exact[index].count > Self.exactLimit {
            histogramIndex[index] = histograms.count
            histograms.append(Self.histogram(of: exact[index]))
            exact[index] = []
        }
    }

    /// A histogram of `values`, sized for them at once: growing one value at a time is what made histograms slow.
    private static func histogram(of values: [UInt64]) -> Histogram<UInt64> {
        let highest = Swift.max(values.max() ?? 0, 2)
        // Auto-resizing, lowest discernible value 1: 0 is recordable and no upper bound need be guessed.
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        for value in values { histogram.record(value) }
        return histogram
    }

    /// Count, p50, p90, p99 and max of the distribution `slot` names.
    func percentiles(_ slot: Int?) -> Percentiles {
        guard let slot else { return Percentiles() }
        if histogramIndex[slot] >= 0 {
            let histogram = histograms[histogramIndex[slot]]
            guard histogram.totalCount > 0 else { return Percentiles() }
            return Percentiles(
                count: Int(histogram.totalCount),
                p50: Int64(clamping: histogram.valueAtPercentile(50)),
                p90: Int64(clamping: histogram.valueAtPercentile(90)),
                p99: Int64(clamping: histogram.valueAtPercentile(99)),
                max: Int64(clamping: histogram.maxRecorded))
        }
        let sorted = exact[slot].sorted()
        guard let last = sorted.last else { return Percentiles() }
        return Percentiles(
            count: sorted.count, p50: Self.valueAtPercentile(50, sorted: sorted),
            p90: Self.valueAtPercentile(90, sorted: sorted), p99: Self.valueAtPercentile(99, sorted: sorted),
            max: Int64(clamping: last))
    }

    /// `Histogram.valueAtPercentile` over exact values: the same rank (the percentile less one ulp, times the
    /// count, rounded up), then the highest value of that value's bucket, kept within the recorded minimum and
    /// maximum. For 0 < percentile < 100, which is all the summaries ask.
    static func valueAtPercentile(_ percentile: Double, sorted: [UInt64]) -> Int64 {
        let requested = Swift.min(Swift.max(percentile.nextDown, 0.0), 100.0)
        let rank = Swift.max(1, UInt64((requested * Double(sorted.count) / 100.0).rounded(.up)))
        let value = sorted[Int(Swift.min(rank, UInt64(sorted.count))) - 1]
        // `Histogram.min`: 0 when a 0 was recorded, else the smallest value.
        let highest = Swift.max(Swift.min(layout.highestEquivalentForValue(value), sorted[sorted.count - 1]), sorted[0])
        return Int64(clamping: highest)
    }
}

/// The accumulated metrics of one level: a job, a type or the total.
///
/// Histograms and the throughput ring are created on first use, so a job that never runs costs a few words.
struct LevelStats: Sendable {
    var success = 0
    var failed = 0
    var timeout = 0
    var cancelled = 0
    var skipped = 0
    var deferred = 0
    var retries = 0
    /// Slots in the aggregator's `HistogramPool`.
    var durations: Int?
    var lateness: Int?
    var queueWait: Int?
    var throughput = ThroughputRing()
    /// Runs that ended FAILED or TIMEOUT, per second: the "failed in 15m" of the daemon's status line.
    var failures = ThroughputRing()
    /// Index: attempts started; value: finished runs. Grows to the largest attempt count seen.
    var runsByAttempts: [Int] = []
    var queued = 0
    var queuedPeak = 0
    var running = 0

    mutating func apply(_ effect: EventEffect, histograms: inout HistogramPool) {
        if let finalStatus = effect.finalStatus {
            switch finalStatus {
            case .success: success += 1
            case .failed:
                failed += 1
                failures.record(second: effect.second)
            case .timeout:
                timeout += 1
                failures.record(second: effect.second)
            case .cancelled: cancelled += 1
            case .skipped: skipped += 1
            }
            throughput.record(second: effect.second)
            if effect.attempts > 0 {
                if effect.attempts >= runsByAttempts.count {
                    let missing = effect.attempts - runsByAttempts.count + 1
                    runsByAttempts.append(contentsOf: repeatElement(0, count: missing))
                }
                runsByAttempts[effect.attempts] += 1
            }
        }
        if let value = effect.durationMs {
            histograms.record(value, into: &durations)
        }
        if let value = effect.latenessMs {
            histograms.record(value, into: &lateness)
        }
        if let value = effect.queueWaitMs {
            histograms.record(value, into: &queueWait)
        }
        if effect.deferred {
            deferred += 1
        }
        if effect.retry {
            retries += 1
        }
        if effect.queuedDelta != 0 {
            adjustQueued(by: effect.queuedDelta)
        }
        running += effect.runningDelta
    }

    mutating func adjustQueued(by delta: Int) {
        queued += delta
        if queued > queuedPeak {
            queuedPeak = queued
        }
    }

    func summary(at now: Instant, histograms: HistogramPool) -> MetricsSummary {
        let finished = success + failed + timeout + cancelled + skipped
        let attempted = success + failed + timeout
        let window = throughput.counts(endingAt: ThroughputRing.second(ofMilliseconds: now.millisecondsSinceEpoch))
        var distribution: [Int: Int] = [:]
        for (attempts, runs) in runsByAttempts.enumerated() where runs > 0 {
            distribution[attempts] = runs
        }
        return MetricsSummary(
            runs: RunCounts(
                total: finished, success: success, failed: failed, timeout: timeout, cancelled: cancelled,
                skipped: skipped, deferred: deferred, retries: retries),
            failureRate: attempted == 0 ? 0 : Double(failed + timeout) / Double(attempted),
            durationMs: histograms.percentiles(durations),
            latenessMs: histograms.percentiles(lateness),
            queueWaitMs: histograms.percentiles(queueWait),
            throughputPerMinute: Throughput(
                last1m: Double(window.last1m), last5m: Double(window.last5m) / 5,
                last15m: Double(window.last15m) / 15),
            retryDistribution: RetryDistribution(runsByAttempts: distribution),
            queueDepth: queued,
            queueDepthPeak: queuedPeak,
            running: running
        )
    }
}
