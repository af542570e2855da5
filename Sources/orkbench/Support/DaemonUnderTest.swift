import Foundation
import OrkestronClient
import OrkestronProtocol

/// The `orkestrond` being measured: the real binary, started in a private temporary folder with its own
/// configuration, state directory, socket and log, never under systemd or in the system's paths. The bench is its
/// service manager (`NOTIFY_SOCKET`), so "ready" is the daemon's own `READY=1` (sent once the socket listens and
/// the engine runs), timed from just before the spawn.
///
/// Not `Sendable`: one task (the measure's) starts, polls and stops it.
final class DaemonUnderTest {
    let binary: String
    let directory: String
    var configPath: String { directory + "/orkestron.toml" }
    var socketPath: String { directory + "/orkestron.sock" }
    var stateDirectory: String { directory + "/state" }
    var logPath: String { directory + "/orkestrond.log" }
    private let notify: NotifyListener
    private var child: ChildProcess?
    private var exitStatus: Int32?
    /// `CLOCK_MONOTONIC` µs just before the last spawn.
    private var spawnedAtUs: Int64 = 0

    /// Creates the folder and writes the configuration; starts nothing.
    init(binary: String, configuration: String, label: String = "daemon") throws {
        guard access(binary, X_OK) == 0 else {
            throw BenchError("no daemon at \(binary) (build it: swift build -c release --product orkestrond)")
        }
        self.binary = binary
        directory = try TemporaryFolder(label).path
        notify = try NotifyListener(path: directory + "/notify")
        try configuration.write(toFile: directory + "/orkestron.toml", atomically: false, encoding: .utf8)
    }

    var pid: Int32 { child?.pid ?? 0 }

    var isRunning: Bool {
        guard let child, exitStatus == nil else { return false }
        var status: Int32 = 0
        if waitpid(child.pid, &status, WNOHANG) == child.pid {
            exitStatus = ChildProcess.exitStatus(status)
            return false
        }
        return true
    }

    /// Starts the daemon (again, on the same state, after a `stop`) and waits for its `READY=1`; returns the
    /// microseconds from just before the spawn to the datagram's arrival.
    @discardableResult
    func start(logLevel: String? = nil, timeout: Duration = .seconds(120)) async throws -> Int64 {
        let before = notify.datagrams.count
        var arguments = [
            binary, "--config", configPath, "--state-dir", stateDirectory, "--socket", socketPath, "--log-target",
            "stderr",
        ]
        if let logLevel { arguments += ["--log-level", logLevel] }
        // Not under systemd, whatever started the bench: no journal, inherited listener or watchdog; the notify
        // socket is the bench's.
        spawnedAtUs = BenchClock.monotonicMicroseconds()
        child = try ChildProcess.spawn(
            arguments, stderr: .file(logPath), environment: ["NOTIFY_SOCKET": notify.path],
            removing: ["JOURNAL_STREAM", "INVOCATION_ID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC",
                "WATCHDOG_PID"])
        exitStatus = nil
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let ready = notify.datagrams.dropFirst(before).first(where: {
                $0.text.split(separator: "\n").contains("READY=1")
            }) {
                return ready.receivedAtUs - spawnedAtUs
            }
            guard isRunning else {
                throw BenchError("orkestrond exited with status \(exitStatus ?? -1) before READY=1:\n\(logTail())")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError("no READY=1 from orkestrond within \(timeout):\n\(logTail())")
    }

    /// One call on a connection of its own (the bench's bookkeeping, not part of the load).
    func call(_ method: String, _ params: JSONValue = .object([])) async throws -> JSONValue {
        try await Self.call(socketPath: socketPath, method, params)
    }

    /// The same from any task: waits `delay`, then calls.
    static func call(
        socketPath: String, _ method: String, _ params: JSONValue = .object([]), after delay: Duration = .zero
    ) async throws -> JSONValue {
        if delay > .zero { try await Task.sleep(for: delay) }
        return try await ControlClient.withConnection(socketPath: socketPath) { try await $0.call(method, params) }
    }

    /// SIGTERM, then waits for a graceful stop (SIGKILL after `grace`); returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(20)) async -> Int32 {
        guard let child, isRunning else { return exitStatus ?? 0 }
        kill(child.pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if isRunning {
            kill(child.pid, SIGKILL)
            exitStatus = child.wait()
        }
        return exitStatus ?? 0
    }

    /// Stops the daemon and removes its folder.
    func cleanUp() async {
        await stop()
        notify.close()
        removeFolder()
    }

    /// The last lines of the daemon's log, for a failure message.
    func logTail(lines: Int = 30) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Lines of the log at `warning` or above: a healthy run logs none.
    func logProblems() -> [String] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { line in
            ["WARNING ", "ERROR ", "CRITICAL "].contains { line.hasPrefix($0) }
        }.map(String.init)
    }

    func removeFolder() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
