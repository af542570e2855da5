import Foundation

/// What a process holds, from `/proc/<pid>/status` and `/proc/<pid>/fd`: the numbers the slow-client tests
/// bound.
extension ProcessTable {
    /// Resident anonymous memory (`RssAnon`: the heap and stacks, not the mapped program or files) in KiB, or
    /// nil when the process is gone. What a backlog held in memory would grow.
    static func anonymousResidentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// How many file descriptors the process has open, or nil when the process is gone.
    static func openDescriptors(of pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }
}
