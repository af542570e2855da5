import Synchronization

/// The pauses and resumes a test client issued, in order, with what the daemon answered.
///
/// A command the daemon acknowledged must be in the store; one cut by a kill (sent, no answer) may or may not
/// be; one that could not even connect was never sent and is not recorded. From these the ledger says which
/// paused states a job may be in once the daemon is dead, and which PAUSED/RESUMED events the history must hold.
final class PauseLedger: Sendable {
    enum Outcome: Sendable, Hashable {
        /// Sent; no answer yet.
        case pending
        /// Answered; `changed` says whether the job's state changed (a pause of a paused job is a no-op).
        case acknowledged(changed: Bool)
        /// Sent, and the connection ended without an answer: the daemon may or may not have applied it.
        case unanswered
    }

    struct Command: Sendable, Hashable {
        var job: String
        var pause: Bool
        var outcome: Outcome
    }

    private let commands = Mutex<[Command]>([])

    /// Records a command about to be sent; returns its index for `finish`.
    func begin(job: String, pause: Bool) -> Int {
        commands.withLock { commands in
            commands.append(Command(job: job, pause: pause, outcome: .pending))
            return commands.count - 1
        }
    }

    func finish(_ index: Int, _ outcome: Outcome) {
        commands.withLock { $0[index].outcome = outcome }
    }

    /// Forgets a command that was never sent (the socket refused the connection).
    func withdraw(_ index: Int) {
        commands.withLock { commands in
            if index == commands.count - 1 { commands.removeLast() }
        }
    }

    var all: [Command] { commands.withLock { $0 } }

    var acknowledgedCount: Int {
        all.filter { if case .acknowledged = $0.outcome { true } else { false } }.count
    }

    /// The paused states `job` may be in now: the last acknowledged command's, or that of any command after it
    /// whose fate is unknown. Before any acknowledged command, the configured initial state (not paused) counts.
    func allowedStates(of job: String) -> Set<Bool> {
        var allowed: Set<Bool> = [false]
        for command in all where command.job == job {
            switch command.outcome {
            case .acknowledged:
                allowed = [command.pause]
            case .pending, .unanswered:
                allowed.insert(command.pause)
            }
        }
        return allowed
    }

    /// The acknowledged commands that changed `job`, in order: true for a pause, false for a resume. Each must
    /// have its PAUSED or RESUMED event in the history, in this order.
    func acknowledgedChanges(of job: String) -> [Bool] {
        all.filter { $0.job == job && $0.outcome == .acknowledged(changed: true) }.map(\.pause)
    }
}
