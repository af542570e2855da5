import OrkestronCore
import Testing

@testable import OrkestronDaemon

/// Telling a set wall clock from a suspend from ordinary time, with readings made by hand.
@Suite("ClockWatch: wall-clock jumps and suspends")
struct ClockWatchTests {
    static let start = Instant(secondsSinceEpoch: 1_767_571_200)

    static func watch(_ clock: ManualDriverClock) -> ClockWatch { ClockWatch(first: clock.read()) }

    @Test("ordinary time, scheduling noise and NTP slewing are no change")
    func ordinaryTime() {
        let clock = ManualDriverClock(wall: Self.start)
        var watch = Self.watch(clock)
        clock.pass(60_000)
        #expect(watch.observe(clock.read()).isEmpty)
        clock.pass(60_000)
        clock.setWall(by: 1_500)  // a step under the threshold
        #expect(watch.observe(clock.read()).isEmpty)
    }

    @Test("a wall clock set forward or back is a shift of that size", arguments: [3_600_000, -3_600_000, 2_500])
    func wallSet(shift: Int64) {
        let clock = ManualDriverClock(wall: Self.start)
        var watch = Self.watch(clock)
        clock.pass(30_000)
        clock.setWall(by: shift)
        #expect(watch.observe(clock.read()) == ClockWatch.Change(suspendedMs: nil, wallShiftMs: shift))
        clock.pass(30_000)
        #expect(watch.observe(clock.read()).isEmpty, "reported once")
    }

    @Test("a suspend is reported with its length, and is not a wall-clock jump")
    func suspend() {
        let clock = ManualDriverClock(wall: Self.start)
        var watch = Self.watch(clock)
        clock.pass(10_000)
        clock.suspend(for: 8 * 3_600_000)
        clock.pass(10_000)
        #expect(watch.observe(clock.read()) == ClockWatch.Change(suspendedMs: 8 * 3_600_000, wallShiftMs: nil))
    }

    @Test("a suspend and a wall clock set at the resume are both reported")
    func suspendAndSet() {
        let clock = ManualDriverClock(wall: Self.start)
        var watch = Self.watch(clock)
        clock.suspend(for: 3_600_000)
        clock.setWall(by: -30_000)
        #expect(watch.observe(clock.read()) == ClockWatch.Change(suspendedMs: 3_600_000, wallShiftMs: -30_000))
    }
}
