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

/// The histograms of every level, in one array that levels index into.
///
/// A level's histogram is created on its first value (each is at least 16 KiB), and living in an array rather
/// than in an `Optional` inside the level lets `record` update it in place.
struct HistogramPool: Sendable {
    private var histograms: [Histogram<UInt64>] = []

    /// Records `value` into the histogram `slot` names, creating it when `slot` is `nil`. Negative values (a clock
    /// step, a run started before its slot) count as 0.
    mutating func record(_ value: Int64, into slot: inout Int?) {
        let index: Int
        if let slot {
            index = slot
        } else {
            index = histograms.count
            // Auto-resizing, lowest discernible value 1: 0 is recordable and no upper bound need be guessed.
            histograms.append(Histogram(numberOfSignificantValueDigits: .three))
            slot = index
        }
        histograms[index].record(UInt64(clamping: value))
    }

    subscript(slot: Int?) -> Histogram<UInt64>? {
        slot.map { histograms[$0] }
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
            durationMs: Self.percentiles(histograms[durations]),
            latenessMs: Self.percentiles(histograms[lateness]),
            queueWaitMs: Self.percentiles(histograms[queueWait]),
            throughputPerMinute: Throughput(
                last1m: Double(window.last1m), last5m: Double(window.last5m) / 5,
                last15m: Double(window.last15m) / 15),
            retryDistribution: RetryDistribution(runsByAttempts: distribution),
            queueDepth: queued,
            queueDepthPeak: queuedPeak,
            running: running
        )
    }

    private static func percentiles(_ histogram: Histogram<UInt64>?) -> Percentiles {
        guard let histogram, histogram.totalCount > 0 else { return Percentiles() }
        return Percentiles(
            count: Int(histogram.totalCount),
            p50: milliseconds(histogram.valueAtPercentile(50)),
            p90: milliseconds(histogram.valueAtPercentile(90)),
            p99: milliseconds(histogram.valueAtPercentile(99)),
            max: milliseconds(histogram.maxRecorded))
    }

    private static func milliseconds(_ value: UInt64) -> Int64 {
        Int64(clamping: value)
    }
}
