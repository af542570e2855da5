import Foundation
import OrkestronCore
import OrkestronMetrics
import OrkestronProtocol
import OrkestronStore
import Testing

@testable import OrkestronDaemon

/// The answers built directly as `JSONValue` (metrics, runs) are, byte for byte, what encoding the values with
/// `JSONEncoder` and reading the result back gave before: the protocol's documented shapes do not move.
@Suite("Wire encodings: direct JSON equals the Codable round trip")
struct WireEncodingTests {
    static let start = Instant(secondsSinceEpoch: 1_767_571_200)

    /// An aggregator fed a few jobs' runs: successes, a retried failure, a skip, a manual run.
    static func metrics() -> MetricsAggregator {
        var metrics = MetricsAggregator(jobTypes: ["a": "sync", "b": nil, "c": "batch"])
        var seq: UInt64 = 0
        func event(_ job: String, _ run: String, _ status: EventStatus, at ms: Int64, _ configure: (inout Event) -> Void = { _ in }) {
            seq += 1
            var event = Event(seq: seq, time: start + ms, jobId: job, runId: run, status: status, attempt: 1)
            configure(&event)
            metrics.record(event)
        }
        for index in 0..<40 {
            let job = ["a", "b", "c"][index % 3]
            let run = "\(job)-\(index)"
            let at = Int64(index) * 700
            event(job, run, .scheduled, at: at) { $0.slot = start + at }
            event(job, run, .queued, at: at)
            event(job, run, .running, at: at + 3) { $0.latenessMs = 3; $0.queueWaitMs = Int64(index % 5) }
            if index % 7 == 3 {
                event(job, run, .failed, at: at + 300) { $0.durationMs = 297; $0.nextRetryIn = 2_000 }
                event(job, run, .retry, at: at + 300)
                event(job, run, .queued, at: at + 2_300) { $0.attempt = 2 }
                event(job, run, .running, at: at + 2_301) { $0.attempt = 2; $0.queueWaitMs = 1 }
                event(job, run, .success, at: at + 2_400) { $0.attempt = 2; $0.durationMs = 99 }
            } else if index % 11 == 5 {
                event(job, run, .skipped, at: at) { $0.reason = "overlap skip" }
            } else {
                event(job, run, .success, at: at + 50 + Int64(index)) { $0.durationMs = 47 + Int64(index) }
            }
        }
        return metrics
    }

    @Test("metrics.get: whole, by job and by type")
    func metricsSnapshots() {
        let metrics = Self.metrics()
        let now = Self.start + 40_000
        for (job, type) in [(nil, nil), ("a", nil), (nil, "batch"), ("b", nil), ("nope", nil)] as [(String?, String?)] {
            let snapshot = metrics.snapshot(at: now, job: job, type: type)
            #expect(snapshot.json.serialized == EngineDriver.encode(snapshot).serialized, "job \(job ?? "-") type \(type ?? "-")")
        }
    }

    @Test("runs: every optional present and absent, with and without a trigger source")
    func runRows() {
        let rows = [
            RunRecordRow(
                runId: "a-000001", jobId: "a", trigger: "schedule", status: "SUCCESS", final: true, attempt: 1,
                slot: "2026-01-05T00:00:00.000Z", createdAt: "2026-01-05T00:00:00.000Z",
                startedAt: "2026-01-05T00:00:00.003Z", finishedAt: "2026-01-05T00:00:00.050Z", durationMs: 47,
                exitCode: 0, signal: nil, reason: nil, triggeredBy: nil),
            RunRecordRow(
                runId: "alert-000002", jobId: "alert", trigger: "on_failure", status: "FAILED", final: true, attempt: 3,
                slot: "2026-01-05T00:00:01.000Z", createdAt: "2026-01-05T00:00:01.000Z", startedAt: nil,
                finishedAt: "2026-01-05T00:00:02.000Z", durationMs: nil, exitCode: nil, signal: 9,
                reason: "killed \"hard\"\nby signal", triggeredBy: RunTriggerSource(jobId: "a", runId: "a-000001", status: "FAILED")),
            RunRecordRow(
                runId: "q-1", jobId: "q", trigger: "manual", status: "QUEUED", final: false, attempt: 0,
                slot: "2026-01-05T00:00:03.000Z", createdAt: "2026-01-05T00:00:03.000Z"),
        ]
        for row in rows {
            #expect(row.json.serialized == EngineDriver.encode(row).serialized, "\(row.runId)")
        }
        #expect(JSONValue.array(rows.map(\.json)).serialized == EngineDriver.encode(rows).serialized)
    }
}
