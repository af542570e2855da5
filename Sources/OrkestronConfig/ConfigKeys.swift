/// Every key the configuration loader accepts, table by table.
///
/// The loader checks each table against these lists (an unknown key is an error), and the manual-page test reads
/// them to prove orkestron.toml(5) documents every one, so the documentation cannot drift from the loader.
public enum ConfigKeys {
    /// The tables of the top level.
    public static let topLevel = ["daemon", "defaults", "types", "quiet_hours", "job"]
    /// `[daemon]`.
    public static let daemon = [
        "socket", "socket_mode", "control_group", "state_dir", "max_concurrency", "timezone", "seed",
        "history_retention", "shutdown_grace",
    ]
    /// `[defaults]`: the per-job policies.
    public static let defaults = [
        "timeout", "kill_grace", "missed", "overlap", "retry", "priority", "max_concurrency", "deadline", "jitter",
        "catchup", "pause_after_failures", "max_staleness",
    ]
    /// The `retry = { … }` table of `[defaults]` and `[[job]]`.
    public static let retry = ["max_retries", "backoff", "initial_delay", "multiplier", "max_delay", "jitter"]
    /// The `catchup = { … }` table of `[defaults]` and `[[job]]`.
    public static let catchup = ["max", "stagger"]
    /// `[types.<name>]`.
    public static let type = ["max_concurrency", "priority"]
    /// `[[quiet_hours]]`.
    public static let quietHours = ["name", "from", "to", "days", "timezone", "types", "jobs", "action"]
    /// `[[job]]`.
    public static let job = [
        "id", "type", "interval", "cron", "calendar", "offset", "timezone", "retry", "failure_rate", "duration",
        "priority", "max_concurrency", "overlap", "timeout", "kill_grace", "missed", "deadline", "jitter", "paused",
        "on_success", "on_failure", "pause_after_failures", "max_staleness", "catchup", "command",
        "working_directory", "environment",
    ]

    /// Every table with its keys, each table named as the heading of its subsection in orkestron.toml(5).
    public static let byTable: [(table: String, keys: [String])] = [
        ("Top level", topLevel), ("[daemon]", daemon), ("[defaults]", defaults), ("retry", retry),
        ("catchup", catchup), ("[types.NAME]", type), ("[[quiet_hours]]", quietHours), ("[[job]]", job),
    ]
}
