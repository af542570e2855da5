import OrkestronCore
import Testing

@testable import OrkestronConsole
import OrkestronProtocol

@Suite("orkctl top dashboard")
struct DashboardTests {
    static let t0 = Instant(iso8601: "2026-11-29T08:00:00.000Z")!
    static func at(_ seconds: Int64) -> Instant { t0 + seconds * 1000 }

    static func ev(
        _ seq: UInt64, _ second: Int64, _ job: String, _ run: String?, _ status: EventStatus, attempt: Int? = 1,
        durationMs: Int64? = nil, nextRetryIn: Int64? = nil, reason: String? = nil, by: String? = nil
    ) -> Event {
        Event(
            seq: seq, time: at(second), jobId: job, runId: run, status: status, attempt: run == nil ? nil : attempt,
            durationMs: durationMs, nextRetryIn: nextRetryIn, reason: reason, by: by)
    }

    /// The snapshot as the three RPC results give it.
    static func snapshot() -> DashboardState {
        let status: JSONValue = .object([
            ("version", "0.1.0"), ("pid", 42), ("startedAt", "2026-11-29T06:58:30.000Z"), ("uptimeMs", 3_690_000),
            ("jobs", 3), ("running", 1), ("queued", 0), ("paused", 1), ("slots", 4), ("seed", 1),
        ])
        let jobs: JSONValue = [
            .object([
                ("id", "sync_001"), ("type", "sync"), ("state", "running"), ("paused", false),
                ("lastRun", .object([("runId", "sync_001-000041"), ("status", "SUCCESS"),
                                      ("finishedAt", "2026-11-29T07:59:20.000Z")])),
                ("nextRun", "2026-11-29T08:01:00.000Z"),
            ]),
            .object([
                ("id", "cleanup_tmp"), ("type", "cleanup"), ("state", "idle"), ("paused", false),
                ("lastRun", .object([("runId", "cleanup_tmp-000007"), ("status", "FAILED"),
                                      ("finishedAt", "2026-11-29T07:55:00.000Z")])),
                ("nextRun", "2026-11-29T08:15:00.000Z"),
            ]),
            .object([
                ("id", "nightly_report"), ("type", "batch"), ("state", "paused"), ("paused", true),
                ("lastRun", .null), ("nextRun", .null),
            ]),
        ]
        func summary(_ success: Int64, _ failed: Int64, _ p50: Int64, _ p99: Int64) -> JSONValue {
            .object([
                ("runs", .object([("total", .int(success + failed)), ("success", .int(success)), ("failed", .int(failed)),
                                  ("timeout", 0), ("cancelled", 0)])),
                ("failureRate", .double(Double(failed) / Double(max(1, success + failed)))),
                ("durationMs", .object([("count", .int(success + failed)), ("p50", .int(p50)), ("p90", .int(p99)),
                                        ("p99", .int(p99)), ("max", .int(p99))])),
            ])
        }
        let metrics: JSONValue = .object([
            ("atMs", 0),
            ("total", .object([("failureRate", 0.125), ("throughputPerMinute", .object([("last1m", 2.5)]))])),
            ("jobs", .object([("sync_001", summary(40, 1, 612, 880)), ("cleanup_tmp", summary(6, 1, 150, 2950))])),
        ])
        return DashboardState(status: status, jobs: jobs, metrics: metrics)
    }

    static func sample() -> DashboardState {
        var state = snapshot()
        let durations: [Int64] = [300, 450, 900, 600, 720]
        var seq: UInt64 = 100
        for (i, ms) in durations.enumerated() {
            let run = "sync_001-00005\(i)"
            let second = Int64(i) * 2
            seq += 1; state.apply(ev(seq, second, "sync_001", run, .queued))
            seq += 1; state.apply(ev(seq, second, "sync_001", run, .running))
            let status: EventStatus = i == 2 ? .failed : .success
            seq += 1
            state.apply(ev(seq, second + 1, "sync_001", run, status, durationMs: ms,
                           reason: status == .failed ? "exit 1" : nil))
        }
        state.apply(ev(200, 12, "nightly_report", nil, .paused, by: "uid 1000"))
        return state
    }

    @Test("an 80x20 render without color")
    func golden() {
        let lines = DashboardRenderer.render(
            Self.sample(), width: 80, height: 20, now: Self.at(15), selected: 1, filter: nil, color: false,
            connection: .connected)
        let expected = """
            orkestron 0.1.0  up 1h 1m  running 1/4  queue 0  6.9 runs/min  fail 15m 20.0%

              JOB            TYPE    STATE     LAST         NEXT    P50   P99  FAIL RECENT
              sync_001       sync    idle      ok 6s        45s   612ms 880ms  4.3% ▃▅█▆▇
            > cleanup_tmp    cleanup idle      FAIL 5m      14m   150ms  2.9s 14.3%
              nightly_report batch   paused    -            -         -     -     -







            ── events ──────────────────────────────────────────────────────────────────────
            08:00:07 sync_001         SUCCESS     took 600ms
            08:00:08 sync_001         QUEUED
            08:00:08 sync_001         RUNNING
            08:00:09 sync_001         SUCCESS     took 720ms
            08:00:12 nightly_report   PAUSED      by uid 1000
            ↑/↓ select  p pause/resume  r run now  / filter  q quit
            """
        #expect(lines.count == 20)
        #expect(lines.joined(separator: "\n") == expected)
    }

    @Test("a 120x30 render, colored, matches its golden file")
    func wideGolden() {
        let lines = DashboardRenderer.render(
            Self.sample(), width: 120, height: 30, now: Self.at(15), selected: 0, filter: nil, color: true,
            connection: .connected)
        #expect(lines.count == 30)
        Golden.check(lines.joined(separator: "\n"), "dashboard-120x30.ansi")
    }

    @Test("p50/p99 come from the snapshot, then from the durations seen live once there are enough of them")
    func livePercentiles() {
        var state = Self.snapshot()
        let before = state.jobs.first { $0.id == "sync_001" }!
        for index in 0..<(DashboardState.liveQuantileMinimum - 1) {
            state.apply(Self.ev(UInt64(1_000 + index), 20, "sync_001", "sync_001-9\(index)", .success, durationMs: 5_000))
        }
        #expect(state.jobs.first { $0.id == "sync_001" }!.p50Ms == before.p50Ms)
        state.apply(Self.ev(2_000, 21, "sync_001", "sync_001-99", .success, durationMs: 9_000))
        let job = state.jobs.first { $0.id == "sync_001" }!
        #expect(job.p50Ms == 5_000)
        #expect(job.p99Ms == 9_000)

        // A job the snapshot had no durations for shows the live ones from its first run.
        let fresh = state.jobs.first { $0.p50Ms == nil }!
        state.apply(Self.ev(3_000, 22, fresh.id, fresh.id + "-1", .success, durationMs: 70))
        #expect(state.jobs.first { $0.id == fresh.id }!.p50Ms == 70)
    }

    @Test("runs per minute blend the snapshot's rate with the runs seen during the first minute")
    func throughputBlend() {
        var state = Self.snapshot()
        state.snapshotThroughputPerMinute = 6
        state.apply(Self.ev(4_000, 0, "sync_001", "sync_001-50", .success, durationMs: 10))
        state.apply(Self.ev(4_001, 30, "sync_001", "sync_001-51", .success, durationMs: 10))
        // 30 s watched: 2 runs seen + 6/min for the 30 s before the stream.
        #expect(state.throughputPerMinute(now: Self.at(30)) == 5)
        #expect(state.throughputPerMinute(now: Self.at(80)) == 1)
    }

    @Test("applying events updates the right job, its sparkline, the counts and the tail")
    func events() {
        var state = Self.snapshot()
        #expect(state.running == 1)
        state.apply(Self.ev(1, 0, "cleanup_tmp", "cleanup_tmp-000008", .queued))
        #expect(state.queued == 1)
        state.apply(Self.ev(2, 1, "cleanup_tmp", "cleanup_tmp-000008", .running))
        #expect(state.queued == 0 && state.running == 2)
        #expect(state.jobs[1].state == "running")
        #expect(state.jobs[0].state == "running")  // untouched
        state.apply(Self.ev(3, 2, "cleanup_tmp", "cleanup_tmp-000008", .failed, durationMs: 140, nextRetryIn: 2000))
        #expect(state.jobs[1].lastStatus == "FAILED")  // from the snapshot: a retry is still to come
        #expect(state.jobs[1].lastFinishedAt == Instant(iso8601: "2026-11-29T07:55:00.000Z"))
        state.apply(Self.ev(4, 2, "cleanup_tmp", "cleanup_tmp-000008", .retry, nextRetryIn: 2000))
        #expect(state.jobs[1].state == "retrying")
        state.apply(Self.ev(5, 4, "cleanup_tmp", "cleanup_tmp-000008", .queued, attempt: 2))
        state.apply(Self.ev(6, 4, "cleanup_tmp", "cleanup_tmp-000008", .running, attempt: 2))
        state.apply(Self.ev(7, 5, "cleanup_tmp", "cleanup_tmp-000008", .success, attempt: 2, durationMs: 160))
        let job = state.jobs[1]
        #expect(job.state == "idle" && job.lastStatus == "SUCCESS" && job.lastFinishedAt == Self.at(5))
        #expect(job.samples == [.init(durationMs: 140, status: .failed), .init(durationMs: 160, status: .success)])
        #expect(job.finished == 8 && job.failed == 1)
        #expect(state.running == 1 && state.queued == 0)
        #expect(state.jobs[0].samples.isEmpty)
        #expect(state.tail.count == 7 && state.tail.last?.detail == "attempt 2  took 160ms")
        // An unknown job appears; the sample ring and the tail stay bounded.
        for i in 0..<60 {
            state.apply(Self.ev(UInt64(100 + i), 10 + Int64(i), "new_job", "new_job-\(i)", .success, durationMs: Int64(i)))
        }
        #expect(state.jobs.last?.id == "new_job")
        #expect(state.jobs.last?.samples.count == DashboardState.sampleCapacity)
        #expect(state.jobs.last?.samples.last?.durationMs == 59)
        #expect(state.tail.count == DashboardState.tailCapacity)
        // PAUSED / RESUMED.
        let applied = state.apply(json: Self.ev(200, 80, "sync_001", nil, .paused, by: "uid 0").json)
        #expect(applied)
        #expect(state.jobs[0].paused && state.jobs[0].state == "paused")
        state.apply(Self.ev(201, 81, "sync_001", nil, .resumed, by: "uid 0"))
        #expect(!state.jobs[0].paused && state.jobs[0].state == "idle")
        let rejected = state.apply(json: .object([("seq", 1)]))
        #expect(!rejected)
    }

    @Test("every line fits the width and the height is exact, however small")
    func narrow() {
        let state = Self.sample()
        for (width, height) in [(30, 10), (12, 4), (80, 3), (1, 1), (200, 40)] {
            for color in [false, true] {
                let lines = DashboardRenderer.render(
                    state, width: width, height: height, now: Self.at(15), selected: 0, filter: nil, color: color,
                    connection: .disconnected("connection refused"))
                #expect(lines.count == height)
                for line in lines {
                    let visible = line.replacing(/\u{1B}\[[0-9;]*m/, with: "")
                    #expect(visible.count <= width, "\(width)x\(height): \(visible)")
                }
            }
        }
        let lines = DashboardRenderer.render(
            state, width: 30, height: 10, now: Self.at(15), selected: 0, filter: nil, color: false, connection: .connected)
        #expect(lines[0] == "orkestron 0.1.0  up 1h 1m  run")
        #expect(lines[2] == "  JOB            TYPE    STATE")
        #expect(lines[9] == "↑/↓ select  p pause/resume  r")
    }

    @Test("the disconnected banner, the filter and the colored sparkline")
    func bannerFilterColor() {
        let state = Self.sample()
        let down = DashboardRenderer.render(
            state, width: 120, height: 12, now: Self.at(15), selected: 0, filter: nil, color: false,
            connection: .disconnected("cannot connect to /tmp/s.sock: connection refused"))
        #expect(down[1] == "DAEMON UNREACHABLE: cannot connect to /tmp/s.sock: connection refused — retrying every second; figures are stale")
        let filtered = DashboardRenderer.render(
            state, width: 80, height: 12, now: Self.at(15), selected: 0, filter: "BATCH", color: false,
            connection: .connected, editingFilter: true)
        #expect(filtered[1] == "filter: BATCH")
        #expect(filtered[3].hasPrefix("> nightly_report batch   paused"))
        #expect(filtered[4] == "")
        #expect(filtered[11] == "filter: BATCH_   Enter apply  Esc clear")
        #expect(DashboardRenderer.visibleJobs(state, filter: "sync").map(\.id) == ["sync_001"])
        let colored = DashboardRenderer.render(
            state, width: 80, height: 12, now: Self.at(15), selected: 1, filter: nil, color: true, connection: .connected)
        #expect(colored[3].hasSuffix("\u{1B}[32m▃\u{1B}[0m\u{1B}[32m▅\u{1B}[0m\u{1B}[31m█\u{1B}[0m\u{1B}[32m▆\u{1B}[0m\u{1B}[32m▇\u{1B}[0m"))
        #expect(colored[4].hasPrefix("\u{1B}[7m> \u{1B}[0m\u{1B}[7mcleanup_tmp"))
    }
}
