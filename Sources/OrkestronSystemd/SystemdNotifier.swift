import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3): readiness, a status line, reloads, shutdown and watchdog pings for the service manager.
///
/// Without `$NOTIFY_SOCKET` (not started by systemd, or `Type=` other than notify) libsystemd sends nothing and
/// every call is a cheap no-op, so the daemon calls it unconditionally.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether a service manager listens (`$NOTIFY_SOCKET` is set).
    public var isListening: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends newline-separated `KEY=value` assignments; false when nothing was sent (no manager, or an error).
    @discardableResult
    public func notify(_ assignments: String) -> Bool {
        sd_notify(0, assignments) > 0
    }

    public func ready(status: String) {
        notify("READY=1\nSTATUS=\(status)")
    }

    public func status(_ line: String) {
        notify("STATUS=\(line)")
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC` systemd 253+ requires for `Type=notify-reload` (and older
    /// versions ignore); `ready(status:)` ends the reload.
    public func reloading() {
        notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    public func stopping() {
        notify("STOPPING=1\nSTATUS=stopping")
    }

    public func watchdog() {
        notify("WATCHDOG=1")
    }

    /// Half the watchdog timeout `sd_watchdog_enabled(3)` reports (`$WATCHDOG_USEC`, for this process when
    /// `$WATCHDOG_PID` names it), in milliseconds; nil when no watchdog is set.
    public static func watchdogPingIntervalMs() -> Int64? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return max(Int64(microseconds / 2_000), 1)
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
