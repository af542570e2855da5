import Foundation

/// The processes of this host, read from `/proc/<pid>/stat`.
enum ProcessTable {
    struct Entry: Sendable, Hashable {
        var pid: Int32
        var command: String
        /// `R`, `S`, `D`, `Z` (zombie), `T`…
        var state: Character
        var ppid: Int32
        var pgrp: Int32
        var session: Int32
        /// Clock ticks after boot when it started (field 22): with the pid, it names one process for good.
        var startTicks: UInt64
        /// Its nice value (field 19); a thread's own, read from a thread's entry.
        var nice: Int32

        /// A zombie has exited; it only waits for its parent to reap it.
        var isAlive: Bool { state != "Z" && state != "X" }
    }

    static func all() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name in Int32(name).flatMap(entry(pid:)) }
    }

    /// `/proc/<pid>/stat` is `pid (comm) state ppid pgrp session …`; comm may hold spaces and parentheses.
    static func entry(pid: Int32) -> Entry? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let command = String(text[text.index(after: open)..<close])
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let ppid = Int32(fields[1]), let pgrp = Int32(fields[2]),
            let session = Int32(fields[3]), let nice = Int32(fields[16]), let startTicks = UInt64(fields[19])
        else { return nil }
        return Entry(
            pid: pid, command: command, state: state, ppid: ppid, pgrp: pgrp, session: session, startTicks: startTicks,
            nice: nice)
    }

    /// The threads of a process (`/proc/<tid>/stat` describes one thread; `pid` is then its thread id).
    static func threads(of pid: Int32) -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [] }
        return names.compactMap { name in Int32(name).flatMap(entry(pid:)) }
    }

    /// Whether the process that had `pid` and started at `startTicks` is still running (a recycled pid is not).
    static func isRunning(pid: Int32, startTicks: UInt64) -> Bool {
        guard let now = entry(pid: pid) else { return false }
        return now.startTicks == startTicks && now.isAlive
    }

    /// The environment a process started with (`/proc/<pid>/environ`), or nil when it cannot be read.
    static func environment(of pid: Int32) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        var variables: [String: String] = [:]
        for variable in data.split(separator: 0) {
            let text = String(decoding: variable, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return variables
    }

    /// Direct children of `pid`.
    static func children(of pid: Int32) -> [Entry] {
        all().filter { $0.ppid == pid }
    }

    /// Live (not zombie) processes whose process group or session is `id`.
    static func alive(inGroupOrSession id: Int32) -> [Entry] {
        all().filter { ($0.pgrp == id || $0.session == id) && $0.isAlive }
    }
}
