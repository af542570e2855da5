import Synchronization
import Testing

@testable import OrkestronDaemon

/// Whole-daemon answers take turns: never two at once, and every caller gets its turn.
@Suite("AnswerGate: whole-daemon answers one at a time")
struct AnswerGateTests {
    /// How many callers are inside now, the most at once, and how many finished.
    final class Tally: Sendable {
        let counts = Mutex((inside: 0, most: 0, done: 0))
    }

    @Test("200 concurrent callers run one at a time, and all of them run")
    func oneAtATime() async {
        let gate = AnswerGate()
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    await gate.inTurn {
                        tally.counts.withLock { $0.inside += 1; $0.most = max($0.most, $0.inside) }
                        await Task.yield()
                        tally.counts.withLock { $0.inside -= 1; $0.done += 1 }
                    }
                }
            }
        }
        let final = tally.counts.withLock { $0 }
        #expect(final.most == 1, "answers built at once: \(final.most)")
        #expect(final.done == 200)
        // The gate is open again afterwards.
        #expect(await gate.inTurn { 7 } == 7)
    }
}
