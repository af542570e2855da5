/// Facts about the control protocol that both ends share.
public enum ProtocolInfo {
    /// `daemon.status` reports it; bumped on incompatible changes.
    public static let version = 1
    /// Lines longer than this are refused (SPEC §5).
    public static let maximumLineLength = 1 << 20
    /// The default socket path (SPEC §3).
    public static let defaultSocketPath = "/run/orkestron/orkestron.sock"
    /// Methods that change state: only root, the daemon's uid and `control_group` may call them.
    public static let mutatingMethods: Set<String> = [
        "jobs.run", "jobs.pause", "jobs.resume", "runs.cancel", "config.reload", "chaos.set",
    ]
}
