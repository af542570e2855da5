/// Daemon-wide policies the engine enforces.
public struct EngineSettings: Sendable, Hashable {
    /// Global run slots.
    public var maxConcurrency: Int
    /// Per-type limits on parallel runs; types without an entry are limited only globally.
    public var typeConcurrency: [String: Int]
    public var quietHours: [QuietHours]
    /// Seed of the failure-simulation generator; each job derives its own stream from it and its id.
    public var seed: UInt64

    public init(
        maxConcurrency: Int = 8, typeConcurrency: [String: Int] = [:], quietHours: [QuietHours] = [],
        seed: UInt64 = 0
    ) {
        self.maxConcurrency = maxConcurrency
        self.typeConcurrency = typeConcurrency
        self.quietHours = quietHours
        self.seed = seed
    }
}
