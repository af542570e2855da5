import OrkestronCore
import Synchronization

/// The final status of one run, for a `jobs.run` call with `wait`; it may arrive before or after the caller
/// starts waiting for it.
///
/// The driver registers the waiter on its actor right after queueing the run, with no suspension in between.
/// A `withCheckedContinuation` registered it in its body instead, and on this actor (a custom executor) that
/// body could run after the engine's next turn: a run shorter than that (1 ms simulated runs: one call in 45 to
/// 150 here) ended first, found no waiter, and the call was never answered (a CI run hung on it).
final class RunWaiter: Sendable {
    private enum State {
        case waiting
        case suspended(CheckedContinuation<EventStatus, Never>)
        case ended(EventStatus)
    }

    private let state = Mutex(State.waiting)

    /// Called once, by the event that ends the run.
    func finish(_ status: EventStatus) {
        let continuation = state.withLock { state -> CheckedContinuation<EventStatus, Never>? in
            defer { state = .ended(status) }
            guard case .suspended(let continuation) = state else { return nil }
            return continuation
        }
        continuation?.resume(returning: status)
    }

    var status: EventStatus {
        get async {
            await withCheckedContinuation { continuation in
                let ended = state.withLock { state -> EventStatus? in
                    if case .ended(let status) = state { return status }
                    state = .suspended(continuation)
                    return nil
                }
                if let ended { continuation.resume(returning: ended) }
            }
        }
    }
}
