/// A recurring window in which scheduled runs of the matching jobs are deferred or skipped.
public struct QuietHours: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Start the slot's run when the window ends.
        case `defer`
        /// Record the slot SKIPPED.
        case skip
    }

    public var name: String
    /// Seconds after local midnight; inclusive.
    public var fromSecond: Int
    /// Seconds after local midnight; exclusive. Not after `fromSecond` means the window wraps midnight.
    public var toSecond: Int
    /// Weekdays (0 = Sunday) on which a window may start; `nil` means every day.
    public var days: Set<Int>?
    public var timeZone: String
    /// Only jobs of these types; `nil` means no type filter.
    public var types: Set<String>?
    /// Only these jobs; `nil` means no job filter.
    public var jobs: Set<String>?
    public var action: Action

    public init(
        name: String, fromSecond: Int, toSecond: Int, days: Set<Int>? = nil, timeZone: String = "UTC",
        types: Set<String>? = nil, jobs: Set<String>? = nil, action: Action = .defer
    ) {
        self.name = name
        self.fromSecond = fromSecond
        self.toSecond = toSecond
        self.days = days
        self.timeZone = timeZone
        self.types = types
        self.jobs = jobs
        self.action = action
    }

    /// Whether the window concerns a job. With both filters, a job matching either is covered.
    public func applies(to job: JobDefinition) -> Bool {
        switch (types, jobs) {
        case (nil, nil): return true
        case (let types?, nil): return job.type.map(types.contains) ?? false
        case (nil, let jobs?): return jobs.contains(job.id)
        case (let types?, let jobs?): return jobs.contains(job.id) || (job.type.map(types.contains) ?? false)
        }
    }
}
