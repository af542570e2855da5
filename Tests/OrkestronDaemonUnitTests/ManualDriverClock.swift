import OrkestronCore
import Synchronization

@testable import OrkestronDaemon

/// Clocks a test sets by hand: let time pass, set the wall clock, suspend the machine.
final class ManualDriverClock: DriverClock {
    private let reading: Mutex<ClockReading>

    init(wall: Instant) {
        reading = Mutex(ClockReading(wall: wall, elapsedMs: 1_000_000, awakeMs: 1_000_000))
    }

    func read() -> ClockReading { reading.withLock { $0 } }

    var wall: Instant { read().wall }

    /// Time passes normally: every clock moves by `milliseconds`.
    func pass(_ milliseconds: Int64) {
        reading.withLock {
            $0.wall = $0.wall + milliseconds
            $0.elapsedMs += milliseconds
            $0.awakeMs += milliseconds
        }
    }

    /// Someone sets the wall clock `milliseconds` forward (back when negative); no time passes.
    func setWall(by milliseconds: Int64) {
        reading.withLock { $0.wall = $0.wall + milliseconds }
    }

    /// The machine sleeps for `milliseconds`: wall and elapsed time move, awake time does not.
    func suspend(for milliseconds: Int64) {
        reading.withLock {
            $0.wall = $0.wall + milliseconds
            $0.elapsedMs += milliseconds
        }
    }
}
