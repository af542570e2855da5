@testable import OrkestronCore

/// Drives an `Engine` on a manual clock and keeps everything it said, for behaviour tests.
struct EngineHarness {
    var engine: Engine
    var now: Instant
    var actions: [EngineAction] = []

    static let monday = Instant(secondsSinceEpoch: CivilDateTime(year: 2026, month: 1, day: 5).secondsSinceEpoch)

    init(
        _ jobs: [JobDefinition], settings: EngineSettings = EngineSettings(maxConcurrency: 8, seed: 7),
        start: Instant = EngineHarness.monday, restore: EngineRestore = EngineRestore()
    ) {
        now = start
        engine = Engine(jobs: jobs, settings: settings, now: start, restore: restore, into: &actions)
    }

    var events: [Event] {
        actions.compactMap { if case .event(let event) = $0 { return event } else { return nil } }
    }

    func events(of job: String) -> [Event] { events.filter { $0.jobId == job } }

    func statuses(of job: String) -> [EventStatus] { events(of: job).map(\.status) }

    func statuses(ofRun run: String) -> [EventStatus] { events.filter { $0.runId == run }.map(\.status) }

    var launches: [ProcessLaunch] {
        actions.compactMap { if case .startProcess(let launch) = $0 { return launch } else { return nil } }
    }

    var terminations: [ProcessTermination] {
        actions.compactMap { if case .terminateProcess(let request) = $0 { return request } else { return nil } }
    }

    /// Moves the clock forward by `milliseconds`, firing every timer on the way at its own instant.
    mutating func advance(by milliseconds: Int64) {
        let target = now + milliseconds
        while let wake = engine.nextWakeup, wake <= target {
            now = max(now, wake)
            engine.advance(to: now, into: &actions)
        }
        now = target
        engine.advance(to: now, into: &actions)
    }

    /// Moves the clock to an absolute instant.
    mutating func advance(to instant: Instant) {
        advance(by: instant.milliseconds(since: now))
    }

    /// The wall clock is set `shift` ms forward (or back, when negative) at once, and the engine is told, as the
    /// daemon's driver tells it when it notices.
    mutating func jumpClock(by shift: Int64) {
        now = now + shift
        engine.clockJumped(by: shift, to: now, into: &actions)
    }

    /// The machine sleeps for `gap` ms: wall and real time pass without the engine being driven, then the driver
    /// reports the resume.
    mutating func suspend(for gap: Int64) {
        now = now + gap
        engine.resumed(at: now, into: &actions)
    }

    /// Milliseconds since the harness started, for readable assertions.
    func offset(_ event: Event, from start: Instant = EngineHarness.monday) -> Int64 {
        event.time.milliseconds(since: start)
    }
}

extension JobDefinition {
    /// A simulated job with a fixed duration, so tests can predict every instant.
    static func simulated(
        _ id: String, type: String? = nil, every: Int64? = nil, durationMs: Int64 = 100, failureRate: Double = 0,
        priority: Int = 0
    ) -> JobDefinition {
        JobDefinition(
            id: id, type: type, schedule: every.map { .interval(everyMs: $0, offsetMs: 0) } ?? .manual,
            priority: priority,
            workload: .simulated(
                SimulatedWorkload(failureRate: failureRate, minDurationMs: durationMs, maxDurationMs: durationMs)))
    }
}
