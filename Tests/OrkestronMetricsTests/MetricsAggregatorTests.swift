import Foundation
import OrkestronCore
import OrkestronMetrics
import Testing

/// Builds a job's events by hand, with increasing sequence numbers, at explicit instants.
private struct EventLog {
    let start = Instant(secondsSinceEpoch: 1_800_000_000)
    private(set) var events: [Event] = []

    /// `at` is milliseconds after `start`.
    mutating func add(
        _ status: EventStatus, job: String, run: String?, at offset: Int64, attempt: Int? = nil,
        durationMs: Int64? = nil, nextRetryIn: Int64? = nil, latenessMs: Int64? = nil, queueWaitMs: Int64? = nil
    ) {
        events.append(
            Event(
                seq: UInt64(events.count + 1), time: start + offset, jobId: job, runId: run, status: status,
                attempt: attempt, durationMs: durationMs, nextRetryIn: nextRetryIn, latenessMs: latenessMs,
                queueWaitMs: queueWaitMs))
    }

    /// SCHEDULED → QUEUED → RUNNING → SUCCESS, the attempt taking `durationMs`.
    mutating func successfulRun(job: String, run: String, at offset: Int64, durationMs: Int64 = 100) {
        add(.scheduled, job: job, run: run, at: offset)
        add(.queued, job: job, run: run, at: offset, attempt: 1)
        add(.running, job: job, run: run, at: offset, attempt: 1, latenessMs: 0, queueWaitMs: 0)
        add(.success, job: job, run: run, at: offset + durationMs, attempt: 1, durationMs: durationMs)
    }

    /// QUEUED → RUNNING → a final FAILED.
    mutating func failedRun(job: String, run: String, at offset: Int64, durationMs: Int64 = 100) {
        add(.queued, job: job, run: run, at: offset, attempt: 1)
        add(.running, job: job, run: run, at: offset, attempt: 1, queueWaitMs: 0)
        add(.failed, job: job, run: run, at: offset + durationMs, attempt: 1, durationMs: durationMs)
    }
}

private func aggregate(_ log: EventLog, types: [String: String?] = [:]) -> MetricsAggregator {
    var metrics = MetricsAggregator(jobTypes: types)
    for event in log.events {
        metrics.record(event)
    }
    return metrics
}

@Suite("MetricsAggregator")
struct MetricsAggregatorTests {
    /// A run that succeeds on its first attempt counts once, at every level, with its duration.
    @Test("a successful run is counted per job, per type and in total")
    func successfulRun() throws {
        var log = EventLog()
        log.successfulRun(job: "sync_001", run: "r1", at: 0, durationMs: 250)

        let snapshot = aggregate(log, types: ["sync_001": "sync"]).snapshot(at: log.start + 1_000)

        let levels = [try #require(snapshot.jobs["sync_001"]), try #require(snapshot.types["sync"]), snapshot.total]
        for summary in levels {
            #expect(summary.runs == RunCounts(total: 1, success: 1))
            #expect(summary.failureRate == 0)
            #expect(summary.durationMs == Percentiles(count: 1, p50: 250, p90: 250, p99: 250, max: 250))
            #expect(summary.retryDistribution == [1: 1])
            #expect(summary.queueDepth == 0)
            #expect(summary.queueDepthPeak == 1)
            #expect(summary.running == 0)
        }
        #expect(snapshot.jobs["sync_001"]?.type == "sync")
        #expect(snapshot.jobs["sync_001"]?.lastDurationsMs == [AttemptSample(durationMs: 250, status: .success)])
    }

    /// Two failed attempts followed by a success make one successful run that needed three attempts.
    @Test("a run failing twice then succeeding needs three attempts and two retries")
    func retriesThenSuccess() throws {
        // Given a run whose first two attempts fail with retries left
        var log = EventLog()
        log.add(.queued, job: "batch_1", run: "r1", at: 0, attempt: 1)
        for attempt in 1...2 {
            let t = Int64(attempt) * 10_000
            log.add(.running, job: "batch_1", run: "r1", at: t, attempt: attempt)
            log.add(
                .failed, job: "batch_1", run: "r1", at: t + 100, attempt: attempt, durationMs: 100, nextRetryIn: 2_000)
            log.add(.retry, job: "batch_1", run: "r1", at: t + 100, attempt: attempt, nextRetryIn: 2_000)
            log.add(.queued, job: "batch_1", run: "r1", at: t + 2_100, attempt: attempt + 1)
        }
        // When the third attempt succeeds
        log.add(.running, job: "batch_1", run: "r1", at: 30_000, attempt: 3)
        log.add(.success, job: "batch_1", run: "r1", at: 30_400, attempt: 3, durationMs: 400)

        // Then the run counts once, as a success, with every attempt's duration
        let metrics = aggregate(log)
        let job = try #require(metrics.snapshot(at: log.start + 31_000).jobs["batch_1"])
        #expect(job.runs == RunCounts(total: 1, success: 1, retries: 2))
        #expect(job.retryDistribution[3] == 1)
        #expect(job.retryDistribution.runsByAttempts == [3: 1])
        #expect(job.failureRate == 0)
        #expect(job.durationMs.count == 3)
        #expect(job.lastDurationsMs?.map(\.status) == [.failed, .failed, .success])
        #expect(metrics.activeRunCount == 0)
    }

    /// The failure rate counts FAILED and TIMEOUT against every run that finished with a result.
    @Test("failure rate is (failed + timeout) over success, failed and timeout runs")
    func failureRate() throws {
        var log = EventLog()
        log.successfulRun(job: "j", run: "r1", at: 0)
        log.successfulRun(job: "j", run: "r2", at: 1_000)
        log.failedRun(job: "j", run: "r3", at: 2_000)
        log.add(.queued, job: "j", run: "r4", at: 3_000, attempt: 1)
        log.add(.running, job: "j", run: "r4", at: 3_000, attempt: 1)
        log.add(.timeout, job: "j", run: "r4", at: 4_000, attempt: 1, durationMs: 1_000)
        // A cancelled and a skipped run finish without a result: they do not weigh on the rate.
        log.add(.queued, job: "j", run: "r5", at: 5_000, attempt: 1)
        log.add(.cancelled, job: "j", run: "r5", at: 5_001, attempt: 1)
        log.add(.scheduled, job: "j", run: "r6", at: 6_000)
        log.add(.skipped, job: "j", run: "r6", at: 6_000)

        let job = try #require(aggregate(log).snapshot(at: log.start + 7_000).jobs["j"])

        #expect(job.runs == RunCounts(total: 6, success: 2, failed: 1, timeout: 1, cancelled: 1, skipped: 1))
        #expect(job.failureRate == 0.5)
        // The run cancelled in its queue never started an attempt: no duration, no place in the distribution.
        #expect(job.durationMs.count == 4)
        #expect(job.retryDistribution == [1: 4])
    }

    /// With no finished run there is nothing to divide by, and the rate is 0.
    @Test("failure rate is 0 when no run has finished")
    func failureRateWithoutRuns() {
        let snapshot = MetricsAggregator(jobTypes: ["idle": nil]).snapshot(at: Instant(millisecondsSinceEpoch: 0))
        #expect(snapshot.jobs["idle"]?.failureRate == 0)
        #expect(snapshot.total.failureRate == 0)
        #expect(snapshot.jobs["idle"]?.durationMs == Percentiles())
    }

    /// Queue depth follows runs in and out of the queue, and the peak remembers the most ever waiting.
    @Test("queue depth peaks at 3 with three queued runs and falls as they start")
    func queueDepthPeak() throws {
        // Given three runs queued at once
        var log = EventLog()
        for run in ["r1", "r2", "r3"] {
            log.add(.queued, job: "sync_001", run: run, at: 0, attempt: 1)
        }
        var metrics = aggregate(log, types: ["sync_001": "sync"])
        var snapshot = metrics.snapshot(at: log.start)
        #expect(snapshot.jobs["sync_001"]?.queueDepth == 3)
        #expect(snapshot.types["sync"]?.queueDepthPeak == 3)
        #expect(snapshot.total.queueDepth == 3)

        // When one starts and one is cancelled in the queue
        metrics.record(
            Event(seq: 10, time: log.start + 500, jobId: "sync_001", runId: "r1", status: .running, attempt: 1))
        metrics.record(Event(seq: 11, time: log.start + 600, jobId: "sync_001", runId: "r2", status: .cancelled))

        // Then one is left waiting, one runs, and the peak stays at 3
        snapshot = metrics.snapshot(at: log.start + 700)
        let levels = [try #require(snapshot.jobs["sync_001"]), try #require(snapshot.types["sync"]), snapshot.total]
        for summary in levels {
            #expect(summary.queueDepth == 1)
            #expect(summary.queueDepthPeak == 3)
            #expect(summary.running == 1)
        }
    }

    /// An attempt stops counting as running when it ends, including by INTERRUPTED, and a run waiting for its
    /// retry is neither queued nor running.
    @Test("running counts attempts between RUNNING and their end")
    func runningCount() throws {
        var log = EventLog()
        log.add(.queued, job: "j", run: "r1", at: 0, attempt: 1)
        log.add(.running, job: "j", run: "r1", at: 10, attempt: 1)
        var metrics = aggregate(log)
        #expect(metrics.snapshot(at: log.start + 20).total.running == 1)

        log.add(.interrupted, job: "j", run: "r1", at: 30, attempt: 1, nextRetryIn: 1_000)
        log.add(.retry, job: "j", run: "r1", at: 30, attempt: 1, nextRetryIn: 1_000)
        metrics.record(log.events[2])
        metrics.record(log.events[3])
        let waiting = metrics.snapshot(at: log.start + 40).total
        #expect(waiting.running == 0)
        #expect(waiting.queueDepth == 0)

        // An interrupted last attempt ends the run FAILED, without a second duration.
        log.add(.failed, job: "j", run: "r1", at: 50, attempt: 1, durationMs: 20)
        metrics.record(log.events[4])
        let ended = metrics.snapshot(at: log.start + 60).total
        #expect(ended.runs == RunCounts(total: 1, failed: 1, retries: 1))
        #expect(ended.durationMs.count == 0)
        #expect(ended.retryDistribution == [1: 1])
        #expect(metrics.activeRunCount == 0)
    }

    /// Throughput counts finished runs in windows that end at the snapshot's instant, so old runs fall out of
    /// the 1-minute window before the 5- and 15-minute ones.
    @Test("throughput windows move as time passes")
    func throughputWindows() throws {
        // Given 6 runs finishing in the first minute and 3 more two minutes later
        var log = EventLog()
        for index in 0..<6 {
            log.successfulRun(job: "j", run: "a\(index)", at: Int64(index) * 5_000, durationMs: 10)
        }
        for index in 0..<3 {
            log.successfulRun(job: "j", run: "b\(index)", at: 120_000 + Int64(index) * 1_000, durationMs: 10)
        }
        let metrics = aggregate(log)

        // Then right after the first burst only those count
        #expect(metrics.snapshot(at: log.start + 30_000).total.throughputPerMinute
            == Throughput(last1m: 6, last5m: 6.0 / 5, last15m: 6.0 / 15))
        // At 2m30s the 1-minute window holds the second burst only
        #expect(metrics.snapshot(at: log.start + 150_000).total.throughputPerMinute
            == Throughput(last1m: 3, last5m: 9.0 / 5, last15m: 9.0 / 15))
        // At 6 minutes the first burst has left the 5-minute window
        #expect(metrics.snapshot(at: log.start + 360_000).total.throughputPerMinute
            == Throughput(last1m: 0, last5m: 3.0 / 5, last15m: 9.0 / 15))
        // 15 minutes after the second burst nothing is left in any window
        #expect(metrics.snapshot(at: log.start + 1_023_000).jobs["j"]?.throughputPerMinute == Throughput())
    }

    /// The throughput ring reuses its buckets lap after lap; a stale bucket must not leak into a later window.
    @Test("throughput forgets buckets from an earlier lap of the ring")
    func throughputAfterLongGap() throws {
        var log = EventLog()
        log.successfulRun(job: "j", run: "r1", at: 0, durationMs: 0)
        // 900 s later: the same bucket of the ring.
        log.successfulRun(job: "j", run: "r2", at: 900_000, durationMs: 0)
        let snapshot = aggregate(log).snapshot(at: log.start + 900_500)
        #expect(snapshot.total.throughputPerMinute.last1m == 1)
        #expect(snapshot.total.throughputPerMinute.last15m == 1.0 / 15)
        // A zero duration is recorded as 0.
        #expect(snapshot.total.durationMs == Percentiles(count: 2))
    }

    /// Types add up their jobs; a job without a type counts in the total only.
    @Test("per-type metrics roll up the jobs of each type")
    func perTypeRollUp() throws {
        var log = EventLog()
        log.successfulRun(job: "sync_001", run: "s1", at: 0)
        log.successfulRun(job: "sync_002", run: "s2", at: 0)
        log.failedRun(job: "sync_002", run: "s3", at: 1_000)
        log.successfulRun(job: "clean", run: "c1", at: 0)
        log.successfulRun(job: "adhoc", run: "x1", at: 0)

        let types: [String: String?] = ["sync_001": "sync", "sync_002": "sync", "clean": "cleanup", "adhoc": nil]
        let snapshot = aggregate(log, types: types).snapshot(at: log.start + 2_000)

        let sync = try #require(snapshot.types["sync"])
        #expect(sync.runs == RunCounts(total: 3, success: 2, failed: 1))
        #expect(abs(sync.failureRate - 1.0 / 3) < 1e-12)
        #expect(snapshot.types["cleanup"]?.runs.total == 1)
        #expect(Set(snapshot.types.keys) == ["sync", "cleanup"])
        #expect(snapshot.total.runs.total == 5)
        #expect(snapshot.jobs["adhoc"]?.type == nil)
    }

    /// Filters narrow the listed jobs and types; the total still covers everything.
    @Test("a snapshot filtered by job or type lists only what matches")
    func filters() throws {
        var log = EventLog()
        log.successfulRun(job: "sync_001", run: "s1", at: 0)
        log.successfulRun(job: "clean", run: "c1", at: 0)
        let metrics = aggregate(log, types: ["sync_001": "sync", "clean": "cleanup"])
        let now = log.start + 1_000

        let byJob = metrics.snapshot(at: now, job: "sync_001")
        #expect(Set(byJob.jobs.keys) == ["sync_001"])
        #expect(Set(byJob.types.keys) == ["sync"])
        #expect(byJob.total.runs.total == 2)

        let byType = metrics.snapshot(at: now, type: "cleanup")
        #expect(Set(byType.jobs.keys) == ["clean"])
        #expect(Set(byType.types.keys) == ["cleanup"])

        #expect(metrics.snapshot(at: now, job: "sync_001", type: "cleanup").jobs.isEmpty)
        #expect(metrics.snapshot(at: now, job: "nope").jobs.isEmpty)
        #expect(metrics.snapshot(at: now, type: "nope").types.isEmpty)
    }

    /// Percentiles come from the attempt durations: with 1…100 ms, p50 is 50, p90 is 90, p99 is 99.
    @Test("duration percentiles match known durations")
    func percentiles() throws {
        var log = EventLog()
        for duration in Int64(1)...100 {
            log.successfulRun(job: "j", run: "r\(duration)", at: duration * 1_000, durationMs: duration)
        }
        let job = try #require(aggregate(log).snapshot(at: log.start + 200_000).jobs["j"])
        #expect(job.durationMs == Percentiles(count: 100, p50: 50, p90: 90, p99: 99, max: 100))
        // The sparkline keeps the last 32, oldest first.
        #expect(job.lastDurationsMs?.map(\.durationMs) == Array(69...100))
    }

    /// Lateness and queue wait are read from RUNNING events; a negative value counts as 0.
    @Test("lateness and queue wait percentiles come from RUNNING events")
    func latenessAndQueueWait() throws {
        var log = EventLog()
        let delays: [Int64] = [-5, 10, 20, 30, 1_000]
        for (index, delay) in delays.enumerated() {
            let run = "r\(index)"
            log.add(.queued, job: "j", run: run, at: 0, attempt: 1)
            log.add(.running, job: "j", run: run, at: 0, attempt: 1, latenessMs: delay, queueWaitMs: delay * 2)
        }
        let job = try #require(aggregate(log).snapshot(at: log.start).jobs["j"])
        #expect(job.latenessMs == Percentiles(count: 5, p50: 20, p90: 1_000, p99: 1_000, max: 1_000))
        #expect(job.queueWaitMs == Percentiles(count: 5, p50: 40, p90: 2_000, p99: 2_000, max: 2_000))
        #expect(job.running == 5)
    }

    /// PAUSED, RESUMED, STALE and CHAOS concern the job, not a run: they change no run metric.
    @Test("a job-level event is ignored for run counts")
    func jobLevelEventsIgnored() {
        var log = EventLog()
        for status in [EventStatus.paused, .resumed, .stale, .chaos] {
            log.add(status, job: "j", run: nil, at: 0)
        }
        let metrics = aggregate(log, types: ["j": "sync"])
        let snapshot = metrics.snapshot(at: log.start)
        #expect(snapshot.jobs["j"] == MetricsSummary(type: "sync", lastDurationsMs: [], stale: true))
        #expect(snapshot.total == MetricsSummary())
        #expect(metrics.activeRunCount == 0)
    }

    /// `max_staleness`: STALE marks the job stale (orkestron_job_stale 1) until its next successful run.
    @Test("a STALE job stays stale through failures and is cleared by the next success")
    func staleUntilSuccess() {
        var log = EventLog()
        log.add(.stale, job: "j", run: nil, at: 0)
        log.failedRun(job: "j", run: "r1", at: 1_000)
        var metrics = aggregate(log)
        #expect(metrics.snapshot(at: log.start + 2_000).jobs["j"]?.stale == true)
        var later = EventLog()
        later.successfulRun(job: "j", run: "r2", at: 3_000)
        for event in later.events { metrics.record(event) }
        #expect(metrics.snapshot(at: log.start + 4_000).jobs["j"]?.stale == false)
    }

    /// DEFERRED and RETRY are event counts; a deferred run that is later skipped counts once, as skipped.
    @Test("deferred events are counted beside the run's final status")
    func deferredRuns() throws {
        var log = EventLog()
        log.add(.scheduled, job: "j", run: "r1", at: 0)
        log.add(.deferred, job: "j", run: "r1", at: 0)
        log.add(.skipped, job: "j", run: "r1", at: 60_000)
        log.add(.scheduled, job: "j", run: "r2", at: 0)
        log.add(.deferred, job: "j", run: "r2", at: 0)
        log.add(.queued, job: "j", run: "r2", at: 60_000, attempt: 1)
        let job = try #require(aggregate(log).snapshot(at: log.start + 60_000).jobs["j"])
        #expect(job.runs == RunCounts(total: 1, skipped: 1, deferred: 2))
        #expect(job.queueDepth == 1)
        #expect(job.retryDistribution == [:])
    }

    /// Moving a job to another type on reload moves its waiting runs, so the old type's queue drains to 0.
    @Test("changing a job's type moves its queued runs to the new type")
    func setTypeMovesActiveRuns() throws {
        var metrics = MetricsAggregator(jobTypes: ["j": "sync"])
        let t0 = Instant(secondsSinceEpoch: 1_800_000_000)
        metrics.record(Event(seq: 1, time: t0, jobId: "j", runId: "r1", status: .queued, attempt: 1))
        metrics.setType("batch", for: "j")
        metrics.record(Event(seq: 2, time: t0 + 10, jobId: "j", runId: "r1", status: .running, attempt: 1))

        let snapshot = metrics.snapshot(at: t0 + 20)
        #expect(snapshot.types["sync"]?.queueDepth == 0)
        #expect(snapshot.types["sync"]?.queueDepthPeak == 1)
        #expect(snapshot.types["batch"]?.running == 1)
        #expect(snapshot.types["batch"]?.queueDepth == 0)
        #expect(snapshot.jobs["j"]?.type == "batch")
    }

    /// The snapshot is the `metrics.get` result: camelCase keys, retry counts keyed by strings, and it decodes
    /// back to the same value.
    @Test("a snapshot encodes to camelCase JSON and decodes back")
    func codable() throws {
        var log = EventLog()
        log.successfulRun(job: "sync_001", run: "r1", at: 0, durationMs: 42)
        let snapshot = aggregate(log, types: ["sync_001": "sync"]).snapshot(at: log.start + 1_000)

        let data = try JSONEncoder().encode(snapshot)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["retryDistribution"] as? [String: Int] == ["1": 1])
        #expect((total["throughputPerMinute"] as? [String: Double])?["last1m"] == 1)
        #expect((total["durationMs"] as? [String: Int])?["p99"] == 42)
        #expect(total["queueDepthPeak"] as? Int == 1)
        #expect(json["atMs"] as? Int == 1_800_000_001_000)
        let job = try #require((json["jobs"] as? [String: Any])?["sync_001"] as? [String: Any])
        #expect((job["lastDurationsMs"] as? [[String: Any]])?.first?["status"] as? String == "SUCCESS")

        #expect(try JSONDecoder().decode(MetricsSnapshot.self, from: data) == snapshot)
    }

    /// A run's phase is kept only while the run is active, so memory follows the active runs, not history.
    @Test("finished runs leave no per-run state behind")
    func boundedRunState() {
        var log = EventLog()
        for index in 0..<1_000 {
            log.successfulRun(job: "j\(index % 10)", run: "r\(index)", at: Int64(index))
        }
        log.add(.queued, job: "j0", run: "open", at: 2_000, attempt: 1)
        #expect(aggregate(log).activeRunCount == 1)
    }
}
