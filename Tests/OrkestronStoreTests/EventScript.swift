import OrkestronCore

/// Builds a hand-written event sequence: consecutive seqs, times as offsets from a fixed start.
struct EventScript {
    /// 2026-01-05T00:00:00Z, a Monday.
    static let start = Instant(millisecondsSinceEpoch: 1_767_571_200_000)

    private(set) var events: [Event] = []
    var nextSeq: UInt64 = 1

    /// The instant `offset` milliseconds after `start`.
    static func at(_ offset: Int64) -> Instant { start + offset }

    @discardableResult
    mutating func add(
        at offset: Int64, _ job: String, _ run: String?, _ status: EventStatus,
        _ configure: (inout Event) -> Void = { _ in }
    ) -> Event {
        var event = Event(seq: nextSeq, time: Self.at(offset), jobId: job, runId: run, status: status)
        configure(&event)
        nextSeq += 1
        events.append(event)
        return event
    }

    /// Takes the events added since the last call, as one engine step would hand them over.
    mutating func flush() -> [Event] {
        defer { events.removeAll() }
        return events
    }

    /// A manual run that is queued, runs for `durationMs` and succeeds.
    mutating func succeedingManualRun(_ job: String, _ run: String, at offset: Int64, durationMs: Int64 = 100) {
        add(at: offset, job, run, .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = Self.at(offset)
        }
        add(at: offset, job, run, .running) {
            $0.attempt = 1
            $0.slot = Self.at(offset)
            $0.queueWaitMs = 0
        }
        add(at: offset + durationMs, job, run, .success) {
            $0.attempt = 1
            $0.durationMs = durationMs
            $0.exitCode = 0
        }
    }
}
