import OrkestronCore

/// A loaded, validated configuration: the daemon's settings and the engine's inputs, fully resolved.
///
/// Every `[defaults]`, `[types.X]` and `[daemon].timezone` fallback has already been applied, so the engine and
/// the store take `jobs` and `engineSettings` as they are and never need to know which file said what.
public struct Configuration: Sendable, Hashable {
    public var daemon: DaemonSettings
    /// In file order: the main file's jobs, then each drop-in's.
    public var jobs: [JobDefinition]
    /// `seed` is `daemon.seed ?? 0`; the daemon replaces it with a random one when the file sets none.
    public var engineSettings: EngineSettings
    /// The paths read, in reading order.
    public var files: [String]
    /// Problems that do not stop the configuration from being used.
    public var warnings: [Diagnostic]
    /// Every type named by a job or a `[types.X]` table, in order of first appearance.
    public var typeNames: [String]

    public init(
        daemon: DaemonSettings, jobs: [JobDefinition], engineSettings: EngineSettings, files: [String],
        warnings: [Diagnostic], typeNames: [String]
    ) {
        self.daemon = daemon
        self.jobs = jobs
        self.engineSettings = engineSettings
        self.files = files
        self.warnings = warnings
        self.typeNames = typeNames
    }
}
