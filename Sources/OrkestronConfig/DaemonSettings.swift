/// The `[daemon]` table, resolved: every key has its value or its documented default.
public struct DaemonSettings: Sendable, Hashable {
    /// `nil`: the default path (`/run/orkestron/orkestron.sock`), unless `--socket` or socket activation say
    /// otherwise; the daemon decides.
    public var socket: String?
    /// Permission bits of the socket file; written in the file as an octal string such as `"0660"`.
    public var socketMode: UInt32
    /// Members may call mutating methods. Whether the group exists is checked on load (a warning when not).
    public var controlGroup: String?
    /// `nil`: `--state-dir`, else `$STATE_DIRECTORY`, else `/var/lib/orkestron`; the daemon decides.
    public var stateDir: String?
    /// Global run slots.
    public var maxConcurrency: Int
    /// IANA zone for cron schedules and quiet hours that name none; always one `ZoneRules` knows.
    public var timezone: String
    /// Seed of the failure-simulation generator; `nil` when the file sets none (the daemon then picks one).
    public var seed: UInt64?
    public var historyRetentionMs: Int64
    public var shutdownGraceMs: Int64

    public static let defaultSocketMode: UInt32 = 0o666
    public static let defaultMaxConcurrency = 8
    public static let defaultHistoryRetentionMs: Int64 = 14 * 86_400_000
    public static let defaultShutdownGraceMs: Int64 = 30_000

    public init(
        socket: String? = nil,
        socketMode: UInt32 = DaemonSettings.defaultSocketMode,
        controlGroup: String? = nil,
        stateDir: String? = nil,
        maxConcurrency: Int = DaemonSettings.defaultMaxConcurrency,
        timezone: String = "UTC",
        seed: UInt64? = nil,
        historyRetentionMs: Int64 = DaemonSettings.defaultHistoryRetentionMs,
        shutdownGraceMs: Int64 = DaemonSettings.defaultShutdownGraceMs
    ) {
        self.socket = socket
        self.socketMode = socketMode
        self.controlGroup = controlGroup
        self.stateDir = stateDir
        self.maxConcurrency = maxConcurrency
        self.timezone = timezone
        self.seed = seed
        self.historyRetentionMs = historyRetentionMs
        self.shutdownGraceMs = shutdownGraceMs
    }
}
