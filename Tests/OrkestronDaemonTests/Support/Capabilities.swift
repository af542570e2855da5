import Foundation

/// The capabilities this test process has in effect (`CapEff` of /proc/self/status), which root's may lack in a
/// container: what the daemon and a nested systemd started from here can do depends on them.
enum Capabilities {
    /// CAP_SYS_NICE: lowering a nice value (raising a priority) beyond RLIMIT_NICE.
    static let sysNice = 23
    /// CAP_SYS_RESOURCE: raising a hard resource limit, as systemd's `LimitNICE=` does.
    static let sysResource = 24

    static func effective(_ capability: Int) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << UInt64(capability)) != 0
    }
}
