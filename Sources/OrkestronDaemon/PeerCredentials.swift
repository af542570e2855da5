import Foundation

/// Who is on the other end of a control connection, from `SO_PEERCRED`.
///
/// The stored properties mirror Linux's `struct ucred` (pid, uid, gid; 32 bits each) so the socket option can
/// be read straight into this type: Glibc's module does not export `ucred` without `_GNU_SOURCE`.
struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// `SO_PEERCRED` on Linux.
    static let optionName: Int32 = 17

    var description: String { "uid \(uid) pid \(pid)" }

    /// Whether this peer may call mutating methods: root, the daemon's own user, or a member of the control
    /// group (primary or supplementary).
    func mayControl(controlGroup: gid_t?) -> Bool {
        if uid == 0 || uid == getuid() { return true }
        guard let controlGroup else { return false }
        if gid == controlGroup { return true }
        return Self.groups(ofUID: uid).contains(controlGroup)
    }

    /// The supplementary groups of a user, from the user database.
    static func groups(ofUID uid: uid_t) -> [gid_t] {
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &record, &buffer, buffer.count, &result) == 0, result != nil,
            let name = record.pw_name
        else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, record.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, record.pw_gid, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }

    /// The id of a group by name, or nil when it does not exist.
    static func groupID(named name: String) -> gid_t? {
        var record = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &record, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return record.gr_gid
    }
}
