import Foundation
import OrkestronCore
import OrkestronProtocol
import Testing

@testable import OrkestronConsole

/// Every human view of `orkctl`, rendered from answers recorded from a real daemon (Fixtures/) at a fixed
/// instant and zone, against its golden file (Golden/).
@Suite("console views match their golden files")
struct ConsoleViewGoldenTests {
    /// A few seconds after the fixtures were recorded.
    static let now = Instant(iso8601: "2026-11-29T12:34:20.000Z")!
    static let utc = ConsoleContext(now: now, timeZone: TimeZone(identifier: "UTC")!)
    /// The explain and next fixtures were recorded later, from a job backing off and a Berlin cron job.
    static let later = ConsoleContext(now: Instant(iso8601: "2026-11-29T13:29:24.000Z")!, timeZone: TimeZone(identifier: "UTC")!)

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue.parse(try Golden.fixture(name))
    }

    @Test("status: version, pid, uptime, counts and config paths")
    func status() throws {
        Golden.check(StatusView.render(try Self.json("status.json")), "status.txt")
    }

    @Test("list: one aligned row per job with last result and next run relative to now")
    func list() throws {
        Golden.check(JobListView.render(try Self.json("list.json"), in: Self.utc), "list.txt")
    }

    @Test("show: definition, state, active and recent runs")
    func show() throws {
        Golden.check(JobDetailView.render(try Self.json("show.json"), in: Self.utc), "show.txt")
    }

    @Test("history: runs newest first")
    func history() throws {
        Golden.check(RunTable.render(try Self.json("history.json").arrayValue ?? [], in: Self.utc), "history.txt")
    }

    @Test("trace: every transition of a retried run with the delay between them")
    func trace() throws {
        Golden.check(TraceView.render(try Self.json("trace.json"), runId: "flaky-000001"), "trace.txt")
    }

    @Test("metrics: p50/p90/p99 of duration, lateness and queue wait per job, type and total")
    func metrics() throws {
        Golden.check(MetricsTable.render(try Self.json("metrics.json")), "metrics.txt")
    }

    @Test("metrics in the Prometheus text format, in seconds, labelled by job and type")
    func prometheus() throws {
        Golden.check(PrometheusExposition.render(try Self.json("metrics.json")), "metrics.prom")
    }

    @Test("explain: the state, then one sentence per reason with its time")
    func explain() throws {
        Golden.check(ExplanationView.render(try Self.json("explain.json"), job: "flaky", in: Self.later), "explain.txt")
    }

    @Test("next: slots in the job's zone and UTC, with the jitter window")
    func next() throws {
        Golden.check(UpcomingRunsView.render(try Self.json("next.json"), in: Self.later), "next.txt")
    }

    @Test("watch: one aligned line per event, plain and colored")
    func watch() throws {
        let events = try Golden.fixture("watch.jsonl").split(separator: "\n").map { try JSONValue.parse(String($0)) }
        Golden.check(events.map { EventLine.render($0, in: Self.utc) }.joined(separator: "\n"), "watch.txt")
        var colored = Self.utc
        colored.colors = Colors(enabled: true)
        Golden.check(events.map { EventLine.render($0, in: colored) }.joined(separator: "\n"), "watch-color.txt")
    }

    @Test("prometheus seconds are exact decimal renderings of milliseconds")
    func seconds() {
        #expect(PrometheusExposition.seconds(0) == "0")
        #expect(PrometheusExposition.seconds(1234) == "1.234")
        #expect(PrometheusExposition.seconds(50) == "0.05")
        #expect(PrometheusExposition.seconds(-7) == "-0.007")
        #expect(PrometheusExposition.seconds(3000) == "3")
    }
}
