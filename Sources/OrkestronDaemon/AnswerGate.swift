import Synchronization

/// Lets one whole-daemon answer (every job's metrics, the full job listing) be built at a time; the others wait
/// their turn, first come first served.
///
/// Each such answer holds a copy of the engine's state, which makes the engine duplicate what it changes while
/// the copy lives, and builds megabytes of JSON. Under the load test (`make soak`, ~6 all-job `metrics.get` and
/// ~12 full `jobs.list` a second) several were built at once: RSS peaked 80–140 MiB above its floor and the
/// soak's memory check failed in 2 of 3 runs. One at a time: max RSS 112–124 MiB in four runs, with as many
/// answers per second. (The floor still rose now and then, from the allocator: see `Daemon.largeAllocationBytes`.)
final class AnswerGate: Sendable {
    private struct State {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Returns once no other answer is being built; `leave()` must follow.
    private func enter() async {
        // Admission and registration happen together under the lock, whenever the continuation's body runs, so a
        // `leave()` can never pass a waiter by.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    /// Ends the current answer's turn and lets the next waiter in.
    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }

    /// Runs `work` in its turn.
    func inTurn<T>(_ work: () async -> T) async -> T {
        await enter()
        defer { leave() }
        return await work()
    }
}
