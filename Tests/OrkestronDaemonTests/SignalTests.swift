import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Signals the daemon may receive beyond SIGHUP and SIGTERM (covered in ReloadTests and PersistenceTests):
/// SIGINT stops it like SIGTERM, and SIGPIPE, SIGUSR1 and SIGUSR2, whose default action would end it, do not.
@Suite("signals")
struct SignalTests {
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "alpha"
        duration = "20ms"
        """

    /// The daemon is alive and still runs jobs.
    static func expectServing(_ daemon: DaemonProcess, after what: String) async throws {
        #expect(daemon.isRunning, "the daemon died of \(what)")
        let run = try await daemon.call("jobs.run", .object(["id": "alpha", "wait": true]))
        #expect(run["status"] == "SUCCESS", "after \(what)")
    }

    @Test("SIGINT stops the daemon gracefully with exit status 0")
    func sigint() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            try await Self.expectServing(daemon, after: "nothing")
            daemon.signal(SIGINT)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == 0)
            #expect(daemon.log.contains("orkestrond stopped"), "log:\n\(daemon.logTail())")
        }
    }

    @Test("SIGPIPE, SIGUSR1 and SIGUSR2 leave the daemon running and serving", arguments: [SIGPIPE, SIGUSR1, SIGUSR2])
    func harmlessSignals(_ signal: Int32) async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            daemon.signal(signal)
            // Give a fatal default action time to act before looking.
            try await Task.sleep(for: .milliseconds(300))
            try await Self.expectServing(daemon, after: "signal \(signal)")
            if signal != SIGPIPE {
                _ = try await eventually("the log to note the ignored signal") {
                    daemon.log.contains("signal ignored") ? true : nil
                }
            }
        }
    }
}
