import Foundation
import Logging
import OrkestronCore
import OrkestronStore
import ServiceLifecycle
import Synchronization

/// Persists events and job state off the engine's path, in batched transactions, and logs each event once it is
/// committed (`EventLogger`).
///
/// The engine driver hands over each step's events without waiting; the writer drains everything pending in
/// one transaction. A caller that must not acknowledge before the data is durable (a pause, a run request)
/// awaits `flush()`, which returns once everything handed over before it is committed.
///
/// A failed write (the disk is full, the file system went read-only, the file was damaged) ends the daemon:
/// the engine has moved past what the store holds, and going on would acknowledge changes that are not on disk
/// or record later events over a gap. So the writer fails every waiting `flush()` (their control calls answer
/// -32603 and are not acknowledged), logs the cause at critical, and throws, which stops the service group with
/// a non-zero exit status for the service manager to restart the daemon from the last commit, exactly as after
/// a `kill -9` at that instant (runs that were running come back INTERRUPTED and are retried per policy).
final class StoreWriter: Service, Sendable {
    private struct Pending {
        var events: [Event] = []
        var states: [String: JobPersistentState] = [:]
        /// Job processes started and reaped, in order.
        var processGroups: [ProcessGroupChange] = []
        var barriers: [CheckedContinuation<StoreError?, Never>] = []
        var finished = false
        /// Set by the first failed write: nothing more is written and every later flush fails with it.
        var failure: StoreError?
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
            guard pending.failure == nil else { return }  // the daemon is stopping: see the type's comment
            pending.events.append(contentsOf: events)
            for state in states { pending.states[state.jobId] = state }
        }
        signal.yield()
    }

    /// Queues a process group's row for the next transaction; never blocks.
    ///
    /// The supervisor records each job process as it starts and clears it once reaped. Batched with the events
    /// instead of a transaction each (two more commits per run, each waiting for the writer), they cost a row
    /// in a commit that happens anyway. The row of a process started just before a `kill -9` may miss the
    /// disk, as it could before between the spawn and its own commit: the restart finds such a process by
    /// the `ORKESTRON_INSTANCE` and `ORKESTRON_RUN` it inherited (`OrphanReaper`).
    func enqueue(processGroup change: ProcessGroupChange) {
        pending.withLock { pending in
            guard pending.failure == nil else { return }
            pending.processGroups.append(change)
        }
        signal.yield()
    }

    /// Returns once everything queued before the call is committed; throws when it could not be.
    func flush() async throws(StoreError) {
        let failure = await withCheckedContinuation { (continuation: CheckedContinuation<StoreError?, Never>) in
            let answer = pending.withLock { pending -> StoreError?? in
                if let failure = pending.failure { return .some(failure) }
                if pending.finished { return .some(nil) }
                pending.barriers.append(continuation)
                return .none
            }
            if let answer { continuation.resume(returning: answer) } else { signal.yield() }
        }
        if let failure { throw failure }
    }

    /// The shortest time between two commits while events keep coming (group commit).
    ///
    /// Each transaction rewrites the pages it touches (events, runs, their per-job indexes, job states) into the
    /// WAL; committing every engine step, as fast as steps came, wrote a few events per transaction, some
    /// 2,000 transactions and tens of megabytes of WAL per second at 1,000 runs/s, and checkpointed several times
    /// a second, which made SQLite's writes a quarter of the daemon's CPU. Waiting this long after a commit
    /// before the next one gathers each interval's events into one transaction. When the daemon is quiet the
    /// wait has long passed before the next event, so nothing is delayed; under load a `flush()` (a control
    /// call's acknowledgement, a process start) waits at most this much longer.
    static let groupCommitIntervalMs = 5

    func run() async throws {
        // Keep writing until the driver has stopped (it stops after the control server): the last events of a
        // graceful shutdown must reach the disk.
        do {
            for await _ in signals.cancelOnGracefulShutdown() {
                try writePending()
                try? await Task.sleep(for: .milliseconds(Self.groupCommitIntervalMs))
            }
            try writePending()
        } catch {
            // Stop at once, as after a kill -9 at this instant, which the restart is built for: the calls waiting
            // for this write were told it failed (-32603), and nothing may change after the last commit. Not
            // through the service group: cancelling its accept loop can drop a connection NIO accepted but not
            // yet handed over, and NIO traps on such a channel (swift-nio#2637), turning exit 1 into a crash.
            try? await Task.sleep(for: .milliseconds(200))  // lets the -32603 answers reach their clients
            exit(1)
        }
        let barriers = pending.withLock { pending in
            pending.finished = true
            defer { pending.barriers = [] }
            return pending.barriers
        }
        for barrier in barriers { barrier.resume(returning: nil) }
    }

    /// Writes what is pending now; called by the run loop and once more at shutdown. Throws the first failure.
    func writePending() throws(StoreError) {
        let batch = pending.withLock { pending -> Pending in
            defer {
                pending.events.removeAll(keepingCapacity: true)
                pending.states.removeAll(keepingCapacity: true)
                pending.processGroups.removeAll(keepingCapacity: true)
                pending.barriers.removeAll()
            }
            return pending
        }
        if let failure = batch.failure { throw failure }
        var outcome: StoreError?
        if !batch.events.isEmpty || !batch.states.isEmpty || !batch.processGroups.isEmpty {
            do {
                try store.append(
                    events: batch.events, jobStates: Array(batch.states.values), processGroups: batch.processGroups)
                // Logged once committed: the log shows only what the store holds, and the engine's actor, which
                // hands the events over, does not spend its time formatting and writing log lines.
                for event in batch.events { EventLogger.log(event, to: logger) }
            } catch {
                outcome = error
                let waiting = pending.withLock { pending in
                    pending.failure = error
                    defer { pending.barriers = [] }
                    return pending.barriers
                }
                for barrier in waiting { barrier.resume(returning: error) }
                logger.critical(
                    "cannot persist events; stopping so the service manager restarts the daemon from the last commit",
                    metadata: [
                        "error": "\(error)", "events": "\(batch.events.count)",
                        "first_seq": "\(batch.events.first.map { String($0.seq) } ?? "-")",
                    ])
            }
        }
        for barrier in batch.barriers { barrier.resume(returning: outcome) }
        if let outcome { throw outcome }
    }
}
