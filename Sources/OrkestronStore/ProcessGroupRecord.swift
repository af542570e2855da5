import OrkestronCore

/// A real job process the daemon started and has not reaped yet: the row of `process_group`.
///
/// Each attempt of a job with a `command` runs in its own session, so its process group id is the pid of the
/// process the daemon started (the leader), and the group holds everything the attempt spawned. The leader's
/// start time is what proves, after a restart, that a live process with that pid is still the one recorded and
/// not a newer process that was handed a recycled pid.
public struct ProcessGroupRecord: Sendable, Hashable {
    public var runId: String
    public var attempt: Int
    public var jobId: String
    /// The process group (and session) id: the leader's pid.
    public var pgid: Int32
    /// The leader's start time in clock ticks since boot (`/proc/PID/stat` field 22); nil when it could not be
    /// read because the leader had already exited.
    public var leaderStartTicks: UInt64?
    public var startedAt: Instant

    public init(
        runId: String, attempt: Int, jobId: String, pgid: Int32, leaderStartTicks: UInt64?, startedAt: Instant
    ) {
        self.runId = runId
        self.attempt = attempt
        self.jobId = jobId
        self.pgid = pgid
        self.leaderStartTicks = leaderStartTicks
        self.startedAt = startedAt
    }
}
