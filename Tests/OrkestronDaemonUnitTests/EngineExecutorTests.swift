import Foundation
import Testing

@testable import OrkestronDaemon

/// The engine's executor: its timer turn goes before queued jobs, and it keeps time on its own thread.
@Suite("EngineExecutor: the timer loop's thread")
struct EngineExecutorTests {
    /// An actor on its own `EngineExecutor` that logs what ran, in order.
    actor Probe {
        let executor = EngineExecutor(name: "probe")
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
        var log: [String] = []

        init() {
            executor.setTimerAction { [weak self] in self?.assumeIsolated { $0.log.append("timer") } }
        }

        /// Occupies the engine's thread until `released` is signalled, like a long request.
        func hold(started: DispatchSemaphore, until released: DispatchSemaphore) {
            log.append("hold")
            started.signal()
            released.wait()
        }

        func work(_ index: Int) { log.append("job") }

        /// A file of `/proc/thread-self/`, read on the executor's thread.
        func threadFile(_ name: String) -> String {
            (try? String(contentsOfFile: "/proc/thread-self/" + name, encoding: .utf8)) ?? ""
        }
        func entries() -> [String] { log }
    }

    /// `top -H` and `perf sched` show which thread is the engine's; and on a kernel with EEVDF's custom slices
    /// (Linux 6.12) it runs with the short slice that lets its wake-ups preempt the event loops.
    @Test("the executor's thread carries its name and asks for a short time slice")
    func threadNameAndSlice() async throws {
        let probe = Probe()
        #expect(await probe.threadFile("comm") == "probe\n")
        let slice = await probe.threadFile("sched").split(separator: "\n").first { $0.hasPrefix("se.slice") }
        var system = utsname()
        uname(&system)
        let release = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let version = release.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        guard let slice, version.count == 2, (version[0], version[1]) >= (6, 12) else {
            print("threadNameAndSlice: kernel \(release) has no custom slices to check (se.slice: \(slice ?? "absent"))")
            return
        }
        #expect(slice.split(separator: " ").last == "\(EngineExecutor.timeSliceNanoseconds)", "\(slice)")
    }

    @Test("a due timer turn runs before the jobs queued ahead of it")
    func timerGoesFirst() async throws {
        let probe = Probe()
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        async let held: Void = probe.hold(started: started, until: release)
        // Not by asking the actor: its thread is held.
        try await waitUntil { started.wait(timeout: .now()) == .success }
        // Twenty requests queue behind the one being answered; then the timer falls due.
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 { group.addTask { await probe.work(index) } }
            try? await waitUntil { probe.executor.queuedJobs == 20 }
            probe.executor.arm(afterNanoseconds: 0)
            release.signal()
        }
        await held
        #expect(await probe.entries() == ["hold", "timer"] + Array(repeating: "job", count: 20))
    }

    @Test("the timer fires after its delay, not before")
    func timerWaitsForItsDeadline() async throws {
        let probe = Probe()
        let start = ContinuousClock.now
        probe.executor.arm(afterNanoseconds: 100_000_000)
        try await waitUntil { await probe.entries() == ["timer"] }
        #expect(ContinuousClock.now - start >= .milliseconds(100))
    }

    @Test("fire() runs an armed timer at once, and does nothing when none is armed")
    func fireEndsTheWait() async throws {
        let probe = Probe()
        probe.executor.fire()
        probe.executor.arm(afterNanoseconds: 3_600_000_000_000)
        try await Task.sleep(for: .milliseconds(50))
        #expect(await probe.entries().isEmpty)
        probe.executor.fire()
        try await waitUntil { await probe.entries() == ["timer"] }
    }

    /// Polls `condition` every 5 ms for up to 60 s (CPU-bound tests running beside this one can hold the shared
    /// pool for many seconds on a 2-core machine), then fails.
    private func waitUntil(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 60 s")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
