import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The daemon under test: the release `orkestrond`, started in a private temporary folder with a generated
/// configuration, its state and socket there, stderr to a log file, and the benchmark as its service manager
/// (`NOTIFY_SOCKET`), so readiness is the daemon's own `READY=1`. No root paths, no systemd.
final class BenchDaemon {
    let binary: String
    let directory: String
    var configPath: String { directory + "/orkestron.toml" }
    var stateDirectory: String { directory + "/state" }
    var socketPath: String { directory + "/d.sock" }
    var logPath: String { directory + "/stderr.log" }
    let notify: NotifyListener
    private(set) var pid: pid_t = 0
    /// `CLOCK_MONOTONIC` µs just before the last `posix_spawn`.
    private(set) var spawnedAtUs: Int64 = 0
    let extraArguments: [String]

    init(binary: String, config: String, arguments: [String] = []) throws {
        guard access(binary, X_OK) == 0 else {
            throw BenchError("\(binary) is not an executable; build it with `make release` (or pass --daemon)")
        }
        self.binary = binary
        var template = Array("/tmp/orkbench-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw BenchError("mkdtemp: \(String(cString: strerror(errno)))")
        }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        notify = try NotifyListener(path: directory + "/notify")
        extraArguments = arguments
        try config.write(toFile: directory + "/orkestron.toml", atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits for its `READY=1`; returns the µs from just before exec to its arrival.
    @discardableResult
    func start(readyTimeoutSeconds: Double = 120) async throws -> Int64 {
        let before = notify.datagrams.count
        try spawn()
        let deadline = BenchClock.monotonicMicroseconds() + Int64(readyTimeoutSeconds * 1_000_000)
        while BenchClock.monotonicMicroseconds() < deadline {
            if let ready = notify.datagrams.dropFirst(before).first(where: {
                $0.text.split(separator: "\n").contains("READY=1")
            }) {
                return ready.receivedAtUs - spawnedAtUs
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw BenchError("orkestrond exited (status \(status)) before READY=1; log:\n\(logTail())")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError("no READY=1 within \(readyTimeoutSeconds) s; log:\n\(logTail())")
    }

    private func spawn() throws {
        let arguments = [
            binary, "--config", configPath, "--state-dir", stateDirectory, "--socket", socketPath,
            "--log-target", "stderr",
        ] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        for key in ["JOURNAL_STREAM", "INVOCATION_ID", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            environment.removeValue(forKey: key)
        }
        environment["NOTIFY_SOCKET"] = notify.path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        spawnedAtUs = BenchClock.monotonicMicroseconds()
        let result = posix_spawn(&child, binary, &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("posix_spawn \(binary): \(String(cString: strerror(result)))") }
        pid = child
    }

    /// SIGTERM, then waits for the exit (SIGKILL after 20 s).
    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<2_000 {
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                return
            }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        pid = 0
    }

    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Stops the daemon and removes its folder.
    func cleanUp() {
        stop()
        notify.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
