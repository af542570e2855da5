import Foundation
import OrkestronClient
import OrkestronProtocol

/// The `orkestrond` being measured: the real binary, started in a private temporary folder with its own
/// configuration, state directory, socket and log, never under systemd or in the system's paths.
///
/// Not `Sendable`: one task (the command's) starts, polls and stops it.
final class DaemonUnderTest {
    let binary: String
    let directory: String
    let configPath: String
    let socketPath: String
    let stateDirectory: String
    let logPath: String
    private let process = Process()

    /// Creates the folder (`mkdtemp` under `$TMPDIR`, else /tmp) and writes the configuration; starts nothing.
    init(binary: String, configuration: String) throws {
        self.binary = binary
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/orkbench-soak-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw BenchError("cannot create a temporary folder under \(base): \(String(cString: strerror(errno)))")
        }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        configPath = directory + "/orkestron.toml"
        socketPath = directory + "/orkestron.sock"
        stateDirectory = directory + "/state"
        logPath = directory + "/orkestrond.log"
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Starts the daemon and waits until it answers `daemon.status` on its socket (at most `timeout`).
    func start(logLevel: String, timeout: Duration = .seconds(60)) async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no daemon at \(binary) (build it: swift build -c release --product orkestrond)")
        }
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else { throw BenchError("cannot create \(logPath)") }
        defer { try? log.close() }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config", configPath, "--state-dir", stateDirectory, "--socket", socketPath,
            "--log-target", "stderr", "--log-level", logLevel,
        ]
        // Not under systemd, whatever started the bench: no notify socket, journal or inherited listener.
        var environment = ProcessInfo.processInfo.environment
        for key in ["JOURNAL_STREAM", "INVOCATION_ID", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
            "WATCHDOG_USEC", "WATCHDOG_PID"]
        {
            environment.removeValue(forKey: key)
        }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()

        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw BenchError("orkestrond exited with status \(process.terminationStatus) at start:\n\(logTail())")
            }
            if FileManager.default.fileExists(atPath: socketPath),
                (try? await ControlClient.withConnection(socketPath: socketPath) { try await $0.call("daemon.status") })
                    != nil
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("orkestrond did not answer on \(socketPath) within \(timeout):\n\(logTail())")
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
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// The last lines of the daemon's log, for a failure message.
    func logTail(lines: Int = 30) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Lines of the log at `warning` or above: a healthy soak logs none.
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

/// A failure of the bench itself (not a failed check): the message says what to do.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
