import OrkestronClient
import OrkestronCore
import OrkestronProtocol
import Synchronization
import Testing

/// A client that pauses and resumes jobs at random (seeded) instants while the daemon is killed and restarted
/// under it, recording what was acknowledged in its `ledger`.
final class PauseResumeClient: Sendable {
    let ledger = PauseLedger()
    private let jobs: [String]
    private let seed: UInt64
    private let stopped = Mutex(false)

    init(jobs: [String], seed: UInt64) {
        self.jobs = jobs
        self.seed = seed
    }

    /// Ends `run` after the command in flight.
    func stop() {
        stopped.withLock { $0 = true }
    }

    /// One command every 20–120 ms on a fresh connection, until `stop()`.
    func run(against daemon: DaemonProcess) async {
        var random = SplitMix64(seed: seed, stream: "pause-client")
        while !stopped.withLock({ $0 }) {
            let job = jobs[Int(random.next(in: 0, Int64(jobs.count - 1)))]
            let pause = random.next(in: 0, 1) == 0
            let method = pause ? "jobs.pause" : "jobs.resume"
            let index = ledger.begin(job: job, pause: pause)
            do {
                let answer = try await daemon.call(method, .object(["ids": .array([.string(job)])]))
                ledger.finish(index, .acknowledged(changed: answer["changed"]?.strings?.contains(job) == true))
            } catch ClientError.cannotConnect {
                // The daemon is down (killed, not yet restarted): nothing was sent.
                ledger.withdraw(index)
            } catch let error as RPCError {
                ledger.finish(index, .unanswered)
                Issue.record("\(method) \(job) was refused: \(error)")
            } catch {
                // The connection ended without an answer: the kill may have come before or after the commit.
                ledger.finish(index, .unanswered)
            }
            try? await Task.sleep(for: .milliseconds(random.next(in: 20, 120)))
        }
    }
}
