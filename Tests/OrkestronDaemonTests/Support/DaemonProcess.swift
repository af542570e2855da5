import Foundation
import OrkestronClient
import OrkestronProtocol
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the test harness itself (the daemon did not start, a wait timed out…), with a readable cause.
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A real `orkestrond` process, started from the build folder in a private temporary directory.
///
/// The directory (under /tmp, unique per instance) holds the configuration, the state directory, the socket
/// and the captured stderr. `DaemonProcess.with(config:_:)` starts the daemon, runs a test body and always
/// cleans up, killing the daemon and any process group it left behind, even when the body throws.
final class DaemonProcess: Sendable {
    /// The private directory of this daemon; `@DIR@` in a configuration text is replaced by its path.
    let directory: String
    let configPath: String
    let stateDirectory: String
    let socketPath: String
    let logPath: String
    /// Set in the daemon's environment on top of the test's (where systemd's variables are removed).
    let environment: [String: String]
    /// A program and its arguments that start the daemon (e.g. `systemd-socket-activate -l PATH`), or none.
    let launcher: [String]
    /// Added after the daemon's standard options (e.g. `--log-level warning` for a test that publishes
    /// tens of thousands of events and would otherwise spend its time writing their log lines).
    let arguments: [String]

    private struct State {
        var process: ProcessBox?
        /// Process groups of job processes that may outlive the daemon (after kill -9); killed at cleanup.
        var strayGroups: Set<pid_t> = []
        var cleanedUp = false
    }

    /// Foundation's `Process` is not `Sendable`; every access goes through `state`'s lock.
    private final class ProcessBox: @unchecked Sendable {
        let process: Process
        init(_ process: Process) { self.process = process }
    }

    private let state = Mutex(State())

    private init(directory: String, environment: [String: String], launcher: [String], arguments: [String]) {
        self.directory = directory
        self.environment = environment
        self.launcher = launcher
        self.arguments = arguments
        configPath = directory + "/orkestron.toml"
        stateDirectory = directory + "/state"
        socketPath = directory + "/d.sock"
        logPath = directory + "/stderr.log"
    }

    deinit {
        // A safety net only: `with` cleans up explicitly.
        cleanUpSynchronously()
    }

    // MARK: - Lifecycle

    /// Writes `config` (with `@DIR@` replaced), starts the daemon, runs `body`, then kills the daemon and removes
    /// the directory, whatever `body` did. When the body fails, the daemon's log is attached to the test.
    /// `environment` and `launcher` may use `@DIR@` too.
    static func with<Result: Sendable>(
        config: String, environment: [String: String] = [:], launcher: [String] = [], arguments: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (DaemonProcess) async throws -> Result
    ) async throws -> Result {
        try await prepared(
            config: config, environment: environment, launcher: launcher, arguments: arguments,
            sourceLocation: sourceLocation
        ) { daemon in
            try await daemon.start()
            return try await body(daemon)
        }
    }

    /// Like `with`, but the daemon is not started: the body prepares its state and starts it (or expects it to
    /// refuse to start) itself. Cleanup and the log on failure are the same.
    static func prepared<Result: Sendable>(
        config: String, environment: [String: String] = [:], launcher: [String] = [], arguments: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (DaemonProcess) async throws -> Result
    ) async throws -> Result {
        let daemon = try DaemonProcess.make(environment: environment, launcher: launcher, arguments: arguments)
        do {
            try daemon.writeConfig(config)
            let result = try await body(daemon)
            daemon.cleanUpSynchronously()
            return result
        } catch {
            let log = daemon.logTail()
            daemon.cleanUpSynchronously()
            Issue.record("daemon log (tail) after the failure:\n\(log)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// A fresh private directory under /tmp.
    static func make(
        environment: [String: String] = [:], launcher: [String] = [], arguments: [String] = []
    ) throws -> DaemonProcess {
        var template = Array("/tmp/orkd-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard made != nil else { throw HarnessError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return DaemonProcess(
            directory: path, environment: environment.mapValues { $0.replacingOccurrences(of: "@DIR@", with: path) },
            launcher: launcher.map { $0.replacingOccurrences(of: "@DIR@", with: path) }, arguments: arguments)
    }

    /// (Re)writes the configuration file; `@DIR@` becomes the daemon's directory.
    func writeConfig(_ text: String) throws {
        try text.replacingOccurrences(of: "@DIR@", with: directory)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits (≤ 30 s) until its socket accepts connections.
    func start() async throws {
        try launch()
        try await waitForSocket(timeout: .seconds(30))
    }

    /// Starts the daemon expecting it to refuse to run: waits (≤ `timeout`) for it to exit without ever
    /// listening, and returns its exit status.
    func startExpectingExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try launch()
        let status = try await waitForExit(timeout: timeout)
        #expect(!RawSocket.canConnect(path: socketPath), "the daemon listened before exiting")
        return status
    }

    /// Launches the daemon process with the harness's arguments, without waiting for anything.
    private func launch() throws {
        let binary = try Self.binaryPath()
        // One log for all the daemon's lives: created once, appended to on restart.
        if !FileManager.default.fileExists(atPath: logPath) {
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw HarnessError("cannot create \(logPath)")
            }
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw HarnessError("cannot open \(logPath)") }
        log.seekToEndOfFile()
        defer { try? log.close() }

        let process = Process()
        let command = launcher + [
            binary, "--config", configPath, "--state-dir", stateDirectory, "--socket", socketPath, "--log-target", "stderr",
        ] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        for key in ["JOURNAL_STREAM", "INVOCATION_ID", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            environment.removeValue(forKey: key)
        }
        environment.merge(self.environment) { $1 }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try state.withLock { state in
            guard !state.cleanedUp else { throw HarnessError("the daemon was already cleaned up") }
            if let running = state.process, running.process.isRunning {
                throw HarnessError("the daemon is already running (pid \(running.process.processIdentifier))")
            }
            try process.run()
            state.process = ProcessBox(process)
        }
    }

    /// Starts the daemon again on the same configuration, state directory and socket.
    func restart() async throws {
        try await start()
    }

    /// The daemon's pid (of the current or last process).
    var pid: pid_t {
        state.withLock { $0.process?.process.processIdentifier ?? 0 }
    }

    var isRunning: Bool {
        state.withLock { $0.process?.process.isRunning ?? false }
    }

    /// SIGTERM, then waits (≤ `timeout`) for the exit; returns the exit status (or 128+signal when killed).
    @discardableResult
    func stop(timeout: Duration = .seconds(20)) async throws -> Int32 {
        let pid = self.pid
        guard pid > 0, isRunning else { throw HarnessError("the daemon is not running") }
        kill(pid, SIGTERM)
        return try await waitForExit(timeout: timeout)
    }

    /// SIGKILL: the daemon gets no chance to clean up. Job processes it started are killed at cleanup.
    func kill9() async throws {
        let pid = self.pid
        guard pid > 0, isRunning else { throw HarnessError("the daemon is not running") }
        let groups = ProcessTable.children(of: pid).map(\.pgrp)
        state.withLock { $0.strayGroups.formUnion(groups) }
        kill(pid, SIGKILL)
        _ = try await waitForExit(timeout: .seconds(10))
    }

    /// Remembers a job's process group so that cleanup kills it even if the daemon failed to.
    func track(group: pid_t) {
        state.withLock { _ = $0.strayGroups.insert(group) }
    }

    /// Sends a signal (SIGHUP…) to the running daemon.
    func signal(_ signal: Int32) {
        let pid = self.pid
        if pid > 0 { kill(pid, signal) }
    }

    /// Everything the daemon has written to stderr so far (all its lives).
    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// The last lines of the log, for failure reports.
    func logTail(lines: Int = 60) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    // MARK: - Clients

    /// Runs `body` with a connected client.
    func withClient<Result: Sendable>(_ body: (ControlClient) async throws -> Result) async throws -> Result {
        try await ControlClient.withConnection(socketPath: socketPath, body)
    }

    /// One call on a fresh connection.
    func call(_ method: String, _ params: JSONValue = .object([])) async throws -> JSONValue {
        try await withClient { try await $0.call(method, params) }
    }

    /// A raw line socket connected to the daemon.
    func rawSocket() throws -> RawSocket {
        try RawSocket(path: socketPath)
    }

    // MARK: - Internals

    private func waitForSocket(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if RawSocket.canConnect(path: socketPath) { return }
            if !isRunning {
                let status = state.withLock { $0.process?.process.terminationStatus ?? -1 }
                throw HarnessError("orkestrond exited with status \(status) before listening; log:\n\(logTail())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("orkestrond did not accept connections on \(socketPath) within \(timeout); log:\n\(logTail())")
    }

    /// Waits (≤ `timeout`) for the daemon to exit on its own; returns the exit status (or 128+signal).
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let status = state.withLock { state -> Int32? in
                guard let process = state.process?.process, !process.isRunning else { return nil }
                return process.terminationReason == .uncaughtSignal
                    ? 128 + process.terminationStatus : process.terminationStatus
            }
            if let status { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("orkestrond (pid \(pid)) did not exit within \(timeout)")
    }

    /// Kills the daemon and what it left behind, and removes the directory. Idempotent.
    private func cleanUpSynchronously() {
        let (box, strays) = state.withLock { state -> (ProcessBox?, Set<pid_t>) in
            guard !state.cleanedUp else { return (nil, []) }
            state.cleanedUp = true
            return (state.process, state.strayGroups)
        }
        var groups = strays
        if let process = box?.process, process.isRunning {
            let pid = process.processIdentifier
            groups.formUnion(ProcessTable.children(of: pid).map(\.pgrp))
            kill(pid, SIGKILL)
            // Foundation reaps the child; wait briefly so no daemon outlives the test.
            var waited = 0
            while process.isRunning && waited < 500 {
                usleep(10_000)
                waited += 1
            }
        }
        for group in groups where group > 1 && !ProcessTable.alive(inGroupOrSession: group).isEmpty {
            kill(-group, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The `orkestrond` built next to the test bundle (`.build*/debug/`).
    static func binaryPath() throws -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On platforms where the tests run inside a bundle, walk up to the build folder.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("orkestrond").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw HarnessError(
            "orkestrond is not built next to the test runner (\(executable)); "
                + "run `swift build --build-tests` with the same scratch path before `swift test --skip-build`")
    }
}
