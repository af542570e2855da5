import OrkestronCore
import Synchronization

/// One subscriber's bounded queue between the engine (which never waits) and the connection's writer.
///
/// At most `limit` events wait; an event that does not fit is counted in a gap marker at the end of the
/// queue, which becomes one `events.dropped` notification exactly where the events went missing. The marker
/// is in the queue itself, so the reader learns of the gap as soon as it catches up, also when no event
/// follows the burst (a counter sent only before the next event would stay silent until then).
///
/// Memory is bounded: `limit` events, plus markers, and a marker is only added after an event.
final class SubscriberQueue: Sendable {
    static let defaultLimit = 4_096

    let limit: Int

    private struct State {
        /// `items[head...]` wait to be read; consumed items before `head` are removed in batches.
        var items: [SubscriberMessage] = []
        var head = 0
        var events = 0
        var finished = false
        var reader: CheckedContinuation<SubscriberMessage?, Never>?

        var isEmpty: Bool { head == items.count }

        mutating func take() -> SubscriberMessage {
            let message = items[head]
            head += 1
            if case .event = message { events -= 1 }
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1_024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return message
        }
    }

    private let state = Mutex(State())

    init(limit: Int = SubscriberQueue.defaultLimit) {
        self.limit = limit
    }

    /// Queues an event, or counts it as dropped when the queue is full. Never waits.
    func push(_ event: EventLine) {
        let reader = state.withLock { state -> CheckedContinuation<SubscriberMessage?, Never>? in
            guard !state.finished else { return nil }
            if let reader = state.reader {
                state.reader = nil
                return reader
            }
            if state.events < limit {
                state.items.append(.event(event))
                state.events += 1
            } else if !state.isEmpty, case .dropped(let count) = state.items[state.items.count - 1] {
                state.items[state.items.count - 1] = .dropped(count + 1)
            } else {
                state.items.append(.dropped(1))
            }
            return nil
        }
        reader?.resume(returning: .event(event))
    }

    /// Ends the queue: the reader gets what is queued, then nil.
    func finish() {
        let reader = state.withLock { state -> CheckedContinuation<SubscriberMessage?, Never>? in
            state.finished = true
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume(returning: nil)
    }

    /// Up to `limit` messages that are queued now, without waiting (after `next()`, so the writer can send a
    /// burst in one write).
    func takeAvailable(limit: Int) -> [SubscriberMessage] {
        state.withLock { state in
            var taken: [SubscriberMessage] = []
            while taken.count < limit && !state.isEmpty { taken.append(state.take()) }
            return taken
        }
    }

    /// The next message, waiting for one; nil once finished and drained, or when the task is cancelled.
    /// One reader at a time.
    func next() async -> SubscriberMessage? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SubscriberMessage?, Never>) in
                let ready = state.withLock { state -> SubscriberMessage?? in
                    if !state.isEmpty { return .some(state.take()) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.reader = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let reader = state.withLock { state -> CheckedContinuation<SubscriberMessage?, Never>? in
                defer { state.reader = nil }
                return state.reader
            }
            reader?.resume(returning: nil)
        }
    }
}
