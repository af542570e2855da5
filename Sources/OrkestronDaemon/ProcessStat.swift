import Foundation

/// One process as `/proc/PID/stat` describes it: enough to tell which group and session it is in, whether it
/// is still running, and when it started.
///
/// The start time is what makes a pid safe to signal later: pids are recycled, but a process with the same pid
/// and the same start time (clock ticks since boot) is the same process.
struct ProcessStat: Sendable, Hashable {
    var pid: pid_t
    /// `R`, `S`, `D`, `Z` (zombie), `T`…
    var state: Character
    var ppid: pid_t
    var pgrp: pid_t
    var session: pid_t
    /// Field 22, `starttime`: clock ticks after boot at which the process started.
    var startTicks: UInt64

    /// A zombie has exited and only waits for its parent to reap it; it can do nothing more.
    var isAlive: Bool { state != "Z" && state != "X" }

    /// The process `pid` now, or nil when there is none (or its stat cannot be read).
    static func read(pid: pid_t) -> ProcessStat? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        return parse(String(decoding: data, as: UTF8.self), pid: pid)
    }

    /// Every process of the host that can be read now.
    static func all() -> [ProcessStat] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name in pid_t(name).flatMap { read(pid: $0) } }
    }

    /// `pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
    /// cstime priority nice num_threads itrealvalue starttime …`. The command may hold spaces and parentheses, so
    /// the fields are counted from the last `)`.
    static func parse(_ text: String, pid: pid_t) -> ProcessStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        guard fields.count > 19, let state = fields[0].first, let ppid = pid_t(fields[1]),
            let pgrp = pid_t(fields[2]), let session = pid_t(fields[3]), let start = UInt64(fields[19])
        else { return nil }
        return ProcessStat(pid: pid, state: state, ppid: ppid, pgrp: pgrp, session: session, startTicks: start)
    }

    /// Whether the process recorded as (`pid`, `startTicks`) still runs: same pid, same start, not a zombie.
    static func isRunning(pid: pid_t, startTicks: UInt64) -> Bool {
        guard let now = read(pid: pid) else { return false }
        return now.startTicks == startTicks && now.isAlive
    }

    /// The `ORKESTRON_*` variables of a process's environment, if it can be read and has any. A job process
    /// and everything it spawns inherit them unless they clear their environment.
    static func orkestronVariables(ofProcess pid: pid_t) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        let prefix = Array("ORKESTRON_".utf8)
        var variables: [String: String] = [:]
        for variable in data.split(separator: 0) where variable.starts(with: prefix) {
            let text = String(decoding: variable, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return variables.isEmpty ? nil : variables
    }
}
