import Logging
import OrkestronCore
import OrkestronStore
import ServiceLifecycle
import Synchronization

/// Persists events and job state off the engine's path, in batched transactions.
///
/// The engine driver hands over each step's events without waiting; the writer drains everything pending in
/// one transaction. A caller that must not acknowledge before the data is durable (a pause, a run request)
/// awaits `flush()`, which returns once everything handed over before it is committed.
final class StoreWriter: Service, Sendable {
    private struct Pending {
        var events: [Event] = []
        var states: [String: JobPersistentState] = [:]
        var barriers: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    let store: Store
    private let logger: Logger
    private let pending = Mutex(Pending())
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
        (signals, signal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues events and job states for the next transaction; never blocks.
    func enqueue(events: [Event], states: [JobPersistentState]) {
        guard !events.isEmpty || !states.isEmpty else { return }
        pending.withLock { pending in
            pending.events.append(contentsOf: events)
            for state in states { pending.states[state.jobId] = state }
        }
        signal.yield()
    }

    /// Returns once everything queued before the call is committed.
    func flush() async {
        await withCheckedContinuation { continuation in
            let finished = pending.withLock { pending in
                if pending.finished { return true }
                pending.barriers.append(continuation)
                return false
            }
            if finished { continuation.resume() } else { signal.yield() }
        }
    }

    func run() async throws {
        // Keep writing until the driver has stopped (it stops after the control server): the last events of a
        // graceful shutdown must reach the disk.
        for await _ in signals.cancelOnGracefulShutdown() {
            writePending()
        }
        writePending()
        let barriers = pending.withLock { pending in
            pending.finished = true
            defer { pending.barriers = [] }
            return pending.barriers
        }
        for barrier in barriers { barrier.resume() }
    }

    /// Writes what is pending now; called by the run loop and once more at shutdown.
    func writePending() {
        let batch = pending.withLock { pending -> Pending in
            defer {
                pending.events.removeAll(keepingCapacity: true)
                pending.states.removeAll(keepingCapacity: true)
                pending.barriers.removeAll()
            }
            return pending
        }
        if !batch.events.isEmpty || !batch.states.isEmpty {
            do {
                try store.append(events: batch.events, jobStates: Array(batch.states.values))
            } catch {
                logger.error("could not persist events", metadata: ["error": "\(error)", "events": "\(batch.events.count)"])
            }
        }
        for barrier in batch.barriers { barrier.resume() }
    }
}
