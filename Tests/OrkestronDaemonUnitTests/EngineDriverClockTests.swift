import Logging
import OrkestronConfig
import OrkestronCore
import OrkestronStore
import OrkestronSystemd
import Testing

@testable import OrkestronDaemon

/// The engine driver on injected clocks: a wall clock set while it sleeps, and a suspend, are noticed before the
/// engine sees the new time, so slots follow the `missed` policy instead of all running at once, and nothing
/// waits for a clock set back to catch up.
@Suite("EngineDriver: wall-clock jumps and suspend on injected clocks")
struct EngineDriverClockTests {
    /// Monday 2026-01-05 00:00 UTC.
    static let start = Instant(secondsSinceEpoch: 1_767_571_200)

    /// A driver with one job ticking every second (`missed = skip`, runs queue up behind each other), on `clock`,
    /// writing to an in-memory store.
    static func driver(clock: ManualDriverClock) throws -> (EngineDriver, StoreWriter) {
        let configuration = try ConfigLoader.load(sources: [
            ConfigSource(
                path: "/test/orkestron.toml",
                text: """
                    [daemon]
                    seed = 1
                    timezone = "UTC"

                    [[job]]
                    id = "tick"
                    interval = "1s"
                    duration = "10ms"
                    missed = "skip"
                    overlap = "queue"
                    """)
        ])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let writer = StoreWriter(store: try Store.inMemory(), logger: logger)
        let notifier = SystemdNotifier()
        let driver = EngineDriver(
            configuration: configuration, configPath: "/test/orkestron.toml", restore: EngineRestore(), writer: writer,
            supervisor: ProcessSupervisor(instance: "test", writer: writer, logger: logger), notifier: notifier,
            readiness: Readiness(notifier: notifier), logger: logger, clock: clock)
        return (driver, writer)
    }

    /// Every event the driver has handed to the writer so far.
    static func events(_ writer: StoreWriter) throws -> [Event] {
        try writer.writePending()
        return try writer.store.lastEvents(count: 100_000)
    }

    /// The driver's loop turns until nothing more is due now (as it would, sleeping 0 ms between turns).
    static func settle(_ driver: EngineDriver) async {
        for _ in 0..<10 {
            guard let delay = await driver.wake(), delay == 0 else { return }
        }
    }

    @Test("a wall clock set an hour forward while the driver sleeps skips the hour's slots instead of running them")
    func forwardJumpWhileAsleep() async throws {
        let clock = ManualDriverClock(wall: Self.start)
        let (driver, writer) = try Self.driver(clock: clock)
        await Self.settle(driver)
        clock.pass(1_000)
        await Self.settle(driver)
        clock.pass(500)
        clock.setWall(by: 3_600_000)
        await Self.settle(driver)
        let events = try Self.events(writer)
        let started = events.filter { $0.status == .running }
        #expect(started.count <= 3, "\(started.count) runs started: the jumped-over slots ran")
        let missed = events.filter { $0.status == .skipped }
        #expect(!missed.isEmpty)
        #expect(missed.allSatisfy { $0.reason?.hasPrefix("missed when the wall clock jumped forward") == true })
    }

    @Test("a request arriving first after a forward jump does not run the jumped-over slots either")
    func forwardJumpThenRequest() async throws {
        let clock = ManualDriverClock(wall: Self.start)
        let (driver, writer) = try Self.driver(clock: clock)
        await Self.settle(driver)
        clock.setWall(by: 600_000)
        _ = try await driver.setPaused(true, jobIds: ["tick"], by: "test")
        let events = try Self.events(writer)
        #expect(events.filter { $0.status == .queued }.count <= 2)
        #expect(events.filter { $0.status == .skipped }.count >= 100)
    }

    @Test("after the wall clock is set an hour back the driver sleeps one interval, not an hour")
    func backwardJumpDoesNotStall() async throws {
        let clock = ManualDriverClock(wall: Self.start)
        let (driver, writer) = try Self.driver(clock: clock)
        await Self.settle(driver)
        clock.pass(2_500)
        await Self.settle(driver)
        clock.setWall(by: -3_600_000)
        let delay = await driver.wake()
        #expect(delay != nil && delay! <= 1_000, "sleeps \(delay.map(String.init) ?? "forever") ms")
        clock.pass(1_000)
        await Self.settle(driver)
        let last = try Self.events(writer).last { $0.status == .running }
        #expect(last?.time == clock.wall, "a slot ran one second after the jump")
    }

    @Test("slots that fell while the machine was suspended are skipped per missed, not run at the resume")
    func suspendGap() async throws {
        let clock = ManualDriverClock(wall: Self.start)
        let (driver, writer) = try Self.driver(clock: clock)
        await Self.settle(driver)
        clock.pass(1_000)
        await Self.settle(driver)
        clock.suspend(for: 3_600_000)
        await Self.settle(driver)
        let events = try Self.events(writer)
        #expect(events.filter { $0.status == .running }.count <= 3)
        let missed = events.filter { $0.status == .skipped }
        #expect(!missed.isEmpty)
        #expect(missed.allSatisfy { $0.reason?.hasPrefix("missed while the machine was suspended") == true })
    }
}
