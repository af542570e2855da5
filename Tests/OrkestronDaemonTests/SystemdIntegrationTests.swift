import Foundation
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's side of systemd, without systemd as PID 1: the test is the notify socket, and
/// `systemd-socket-activate` (from the systemd package) passes the listener.
@Suite("systemd: notify, watchdog and socket activation", .serialized)
struct SystemdIntegrationTests {
    static let config = """
        [daemon]
        seed = 3
        [[job]]
        id = "tick"
        type = "metrics"
        interval = "1s"
        duration = "20ms"
        [[job]]
        id = "env"
        command = ["/bin/sh", "-c", "env > @DIR@/job-env.txt"]
        """

    @Test("READY, STATUS, WATCHDOG pings at half WATCHDOG_USEC, RELOADING+MONOTONIC_USEC then READY on SIGHUP, STOPPING on SIGTERM")
    func notifyDatagrams() async throws {
        let manager = try NotifySocket.temporary()
        defer { manager.close() }
        try await DaemonProcess.with(
            config: Self.config, environment: ["NOTIFY_SOCKET": manager.path, "WATCHDOG_USEC": "600000"]
        ) { daemon in
            let ready = try await manager.waitFor("READY=1") { $0.assignments["READY"] == "1" }
            // The socket answers by the time READY=1 is sent.
            #expect(try await daemon.call("daemon.status")["jobs"]?.intValue == 2)
            try await manager.waitFor("a STATUS= summary") { ($0.assignments["STATUS"] ?? "").contains("2 jobs, ") }
            // Pings every 300 ms: at least four in the next 1.5 s of a ready daemon, from the engine's loop.
            try await Task.sleep(for: .milliseconds(1_500))
            let pings = manager.messages.dropFirst(ready).filter { $0.assignments["WATCHDOG"] == "1" }
            #expect(pings.count >= 4, "watchdog pings: \(manager.messages)")
            let gaps = zip(pings.dropFirst(), pings).map { ($0.at - $1.at) }
            #expect(gaps.allSatisfy { $0 < .milliseconds(1_200) }, "gaps between pings: \(gaps)")

            let beforeReload = manager.messages.count
            daemon.signal(SIGHUP)
            let reloading = try await manager.waitFor("RELOADING=1", after: beforeReload) { $0.assignments["RELOADING"] == "1" }
            let monotonic = manager.messages[reloading].assignments["MONOTONIC_USEC"]
            #expect(monotonic.flatMap(UInt64.init).map { $0 > 0 } == true, "MONOTONIC_USEC: \(manager.messages[reloading])")
            try await manager.waitFor("READY=1 after the reload", after: reloading + 1) { $0.assignments["READY"] == "1" }

            let beforeStop = manager.messages.count
            daemon.signal(SIGTERM)
            try await manager.waitFor("STOPPING=1", after: beforeStop) { $0.assignments["STOPPING"] == "1" }
            #expect(try await daemon.waitForExit(timeout: .seconds(20)) == 0)
        }
    }

    @Test("no watchdog pings when WATCHDOG_PID names another process, and jobs never see the manager's variables")
    func watchdogForAnotherProcess() async throws {
        let manager = try NotifySocket.temporary()
        defer { manager.close() }
        try await DaemonProcess.with(
            config: Self.config,
            environment: ["NOTIFY_SOCKET": manager.path, "WATCHDOG_USEC": "600000", "WATCHDOG_PID": "1"]
        ) { daemon in
            try await manager.waitFor("READY=1") { $0.assignments["READY"] == "1" }
            let run = try await daemon.call("jobs.run", .object(["id": "env", "wait": true]))
            #expect(run["status"]?.stringValue == "SUCCESS", "\(run)")
            try await Task.sleep(for: .milliseconds(800))
            #expect(!manager.messages.contains { $0.assignments["WATCHDOG"] != nil }, "\(manager.messages)")
            let environment = try String(contentsOfFile: daemon.directory + "/job-env.txt", encoding: .utf8)
            for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
                #expect(!environment.contains(name + "="), "a job inherited \(name)")
            }
            #expect(environment.contains("ORKESTRON_JOB=env"))
        }
    }

    @Test("socket activation: serves the listener systemd-socket-activate passes, and leaves its file in place")
    func socketActivation() async throws {
        let activate = "/usr/bin/systemd-socket-activate"
        guard FileManager.default.isExecutableFile(atPath: activate) else {
            Issue.record("\(activate) is missing: make deps installs the systemd package")
            return
        }
        try await DaemonProcess.with(config: Self.config, launcher: [activate, "-l", "@DIR@/d.sock"]) { daemon in
            let status = try await daemon.call("daemon.status")
            #expect(status["jobs"]?.intValue == 2)
            let run = try await daemon.call("jobs.run", .object(["id": "env", "wait": true]))
            #expect(run["status"]?.stringValue == "SUCCESS")
            let environment = try String(contentsOfFile: daemon.directory + "/job-env.txt", encoding: .utf8)
            #expect(!environment.contains("LISTEN_FDS="), "a job inherited LISTEN_FDS")
            _ = try await eventually("the activated listener in the log") {
                daemon.log.contains("control socket listening activated=true") ? true : nil
            }
            #expect(try await daemon.stop() == 0)
            #expect(FileManager.default.fileExists(atPath: daemon.socketPath), "the daemon unlinked a socket systemd owns")
        }
    }
}
