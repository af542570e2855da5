import Foundation

/// The daemon's open-file limit (`RLIMIT_NOFILE`), and how many control connections fit in it.
///
/// systemd starts services with a soft limit of 1024 (and a far higher hard one), which the connection cap
/// alone (1,024) would exhaust before the database, the journal and the pipes of running jobs have theirs.
/// The daemon raises its soft limit toward the hard one at start, but only to `wanted`: job processes inherit
/// the limit, and a very high soft limit breaks old programs that `select()` or close every possible
/// descriptor.
enum FileDescriptorLimit {
    /// The soft limit wanted: total connections plus the reserve, with room to spare.
    static let wanted: rlim_t = 4_096
    /// Descriptors kept for everything but connections: the store (database, WAL, shared memory), the
    /// listener, the event loops, logging, and two pipes per running job process.
    static let reserve = 256

    /// Raises the soft limit to `min(wanted, hard)` when it is lower; returns the soft limit in force after.
    static func raise(to wanted: rlim_t = wanted) -> rlim_t {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1_024 }
        let target = min(wanted, limit.rlim_max)
        guard limit.rlim_cur < target else { return limit.rlim_cur }
        var raised = limit
        raised.rlim_cur = target
        return setrlimit(resource, &raised) == 0 ? target : limit.rlim_cur
    }

    /// The connection caps that fit a soft limit of `softLimit` descriptors.
    static func connectionLimits(softLimit: rlim_t) -> ConnectionLimiter.Limits {
        let room = Int(clamping: softLimit) - reserve
        let total = max(16, min(ConnectionLimiter.Limits.defaultTotal, room))
        return ConnectionLimiter.Limits(perUser: min(ConnectionLimiter.Limits.defaultPerUser, total), total: total)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
