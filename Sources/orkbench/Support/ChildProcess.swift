import Foundation

/// A program started with posix_spawn: cheaper and more predictable to time than Foundation's `Process`, whose
/// own bookkeeping would be counted in "exec to exit".
struct ChildProcess: Sendable {
    let pid: pid_t

    /// What a finished child cost: wall time from the spawn, and the CPU time (user + system) wait4 reports for
    /// it alone (the machine is shared: CPU time is what other processes do not move).
    struct Cost {
        var status: Int32
        var wallSeconds: Double
        var cpuSeconds: Double
    }

    /// Starts `arguments[0]` (a path, or a name looked up in PATH) with stdin from /dev/null and stdout/stderr to
    /// the given files (/dev/null when nil; `stderr: .inherit` keeps ours); the environment is ours with
    /// `environment` set and `removing` unset.
    static func spawn(
        _ arguments: [String], stdout: String? = nil, stderr: Output = .file(nil), environment: [String: String] = [:],
        removing: [String] = []
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if case .file(let path) = stderr {
            // Appended: a daemon started twice on one folder keeps both starts' logs.
            posix_spawn_file_actions_addopen(&actions, 2, path ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
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
        for key in removing { merged.removeValue(forKey: key) }
        for (key, value) in environment { merged[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid)
    }

    enum Output {
        /// A file, appended to (/dev/null when nil).
        case file(String?)
        /// The bench's own stderr: a peer's complaint reaches the person running the bench.
        case inherit
    }

    /// Waits for the exit; returns the exit status (128 + signal when killed).
    @discardableResult
    func wait() -> Int32 {
        var usage = rusage()
        return wait(usage: &usage)
    }

    /// Waits for the exit without holding a thread (a peer that runs for a minute); returns the exit status.
    func exit() async -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return Self.exitStatus(status) }
            if result < 0 && errno != EINTR { return -1 }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func wait(usage: inout rusage) -> Int32 {
        var status: Int32 = 0
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        return Self.exitStatus(status)
    }

    /// The exit status of a wait status: the code, or 128 + the signal that ended it.
    static func exitStatus(_ status: Int32) -> Int32 {
        status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs a command to its end and reports its status, wall time and CPU time.
    static func run(_ arguments: [String], stdout: String? = nil, stderr: Output = .file(nil)) throws -> Cost {
        let start = BenchClock.monotonicNanoseconds()
        let child = try spawn(arguments, stdout: stdout, stderr: stderr)
        var usage = rusage()
        let status = child.wait(usage: &usage)
        let wall = BenchClock.seconds(from: start, to: BenchClock.monotonicNanoseconds())
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Cost(status: status, wallSeconds: wall, cpuSeconds: cpu)
    }

    /// Runs a command to its end and returns what it printed on stdout (through a file in `folder`); a failure
    /// throws with the end of its stderr.
    static func output(_ arguments: [String], in folder: String) throws -> String {
        let path = folder + "/output-\(UInt32.random(in: 0...UInt32.max)).txt"
        let errors = path + ".stderr"
        defer {
            unlink(path)
            unlink(errors)
        }
        let status = try spawn(arguments, stdout: path, stderr: .file(errors)).wait()
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let message = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw BenchError("\(arguments.joined(separator: " ")) exited \(status): \(message.suffix(2000))")
        }
        return text
    }
}
