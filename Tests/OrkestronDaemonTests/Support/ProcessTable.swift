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
        guard fields.count >= 4, let state = fields[0].first, let ppid = Int32(fields[1]), let pgrp = Int32(fields[2]),
            let session = Int32(fields[3])
        else { return nil }
        return Entry(pid: pid, command: command, state: state, ppid: ppid, pgrp: pgrp, session: session)
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
