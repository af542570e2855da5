import Foundation

/// What `/proc/PID/status` and `/proc/PID/task/*/status` say about a process: its memory and how often its
/// threads went to sleep voluntarily (each voluntary context switch is a thread blocking and later waking up).
enum ProcessStatus {
    /// The value of `key` (e.g. `VmRSS`) in kB, or nil.
    static func kilobytes(_ key: String, pid: pid_t) -> Int64? {
        field(key, in: "/proc/\(pid)/status")
    }

    /// Voluntary context switches summed over every thread alive now, and per thread (tid → count).
    static func voluntarySwitches(pid: pid_t) -> (total: Int64, threads: [String: Int64]) {
        var threads: [String: Int64] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for tid in tasks {
            if let count = field("voluntary_ctxt_switches", in: "/proc/\(pid)/task/\(tid)/status") {
                let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                threads["\(tid) \(name)"] = count
            }
        }
        return (threads.values.reduce(0, +), threads)
    }

    private static func field(_ key: String, in path: String) -> Int64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let value = line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return value.flatMap { Int64($0) }
        }
        return nil
    }
}
