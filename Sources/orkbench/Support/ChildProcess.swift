import Foundation

/// A program started with posix_spawn: cheaper and more predictable to time than Foundation's `Process`, whose
/// own bookkeeping would be counted in "exec to exit".
struct ChildProcess {
    let pid: pid_t

    /// Starts `arguments[0]` (a path) with stdin from /dev/null and stdout/stderr to the given files
    /// (/dev/null when nil); the environment is ours plus `environment`.
    static func spawn(
        _ arguments: [String], stdout: String? = nil, stderr: String? = nil, environment: [String: String] = [:]
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // The child starts with no signal blocked and SIGPIPE at its default: the Swift runtime may block signals
        // in the spawning thread, and a redis-server or daemon inheriting a blocked SIGTERM would never stop.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Waits for the exit; returns the exit status (128 + signal when killed).
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Runs a command to its end and returns its exit status and the wall time in nanoseconds, exec to exit.
    static func timed(_ arguments: [String], stdout: String? = nil) throws -> (status: Int32, nanos: UInt64) {
        let start = Statistics.nowNanos()
        let child = try spawn(arguments, stdout: stdout)
        let status = child.wait()
        return (status, Statistics.nowNanos() - start)
    }

    /// Runs a command to its end and returns what it printed on stdout (through a file in `folder`).
    static func output(_ arguments: [String], in folder: String) throws -> String {
        let path = folder + "/output-\(UInt32.random(in: 0...UInt32.max)).txt"
        defer { unlink(path) }
        let status = try spawn(arguments, stdout: path, stderr: folder + "/peer-stderr.txt").wait()
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let errors = (try? String(contentsOfFile: folder + "/peer-stderr.txt", encoding: .utf8)) ?? ""
            throw BenchError("\(arguments.joined(separator: " ")) exited \(status): \(errors.suffix(2000))")
        }
        return text
    }
}

/// A failure of the benchmark itself (not a measured result).
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
