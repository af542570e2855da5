import Logging
import OrkestronCore

/// The log line of each engine event: level by status, the run (or job) in the message, and the job, run,
/// status, attempt and duration as metadata (the journal handler maps them to `ORKESTRON_*` fields).
///
/// The store writer logs each batch once it is committed, so the log only ever shows transitions the database
/// holds, and the cost of a line per transition (formatting, a write to stderr or the journal) stays off the
/// engine's actor.
enum EventLogger {
    static func log(_ event: Event, to logger: Logger) {
        let level: Logger.Level
        switch event.status {
        case .failed, .timeout:
            level = event.endsRun ? .error : .warning
        case .retry, .interrupted, .stale:
            level = .warning
        case .scheduled, .queued, .running, .success, .cancelled, .deferred, .skipped, .paused, .resumed, .chaos:
            level = .info
        }
        // Below the configured level nothing is built: at --log-level warning an ordinary run costs no log work.
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "job.id": "\(event.jobId)", "run.status": "\(event.status.rawValue)", "event.seq": "\(event.seq)",
        ]
        if let runId = event.runId { metadata["run.id"] = "\(runId)" }
        if let attempt = event.attempt { metadata["run.attempt"] = "\(attempt)" }
        if let duration = event.durationMs { metadata["run.duration_ms"] = "\(duration)" }
        if let reason = event.reason { metadata["reason"] = "\(reason)" }
        if let next = event.nextRetryIn { metadata["next_retry_ms"] = "\(next)" }
        if let exitCode = event.exitCode { metadata["exit_code"] = "\(exitCode)" }
        if let signal = event.signal { metadata["signal"] = "\(signal)" }
        if let by = event.by { metadata["by"] = "\(by)" }
        // The run (or, for job events, the job) in the text too: `journalctl -u orkestrond` shows MESSAGE only.
        let subject = event.runId ?? event.jobId
        logger.log(level: level, "\(Self.message(for: event.status)): \(subject)", metadata: metadata)
    }

    static func message(for status: EventStatus) -> String {
        switch status {
        case .scheduled: return "run scheduled"
        case .queued: return "run queued"
        case .running: return "run started"
        case .success: return "run succeeded"
        case .failed: return "run failed"
        case .timeout: return "run timed out"
        case .cancelled: return "run cancelled"
        case .retry: return "retry planned"
        case .deferred: return "run deferred"
        case .skipped: return "run skipped"
        case .interrupted: return "run interrupted"
        case .paused: return "job paused"
        case .resumed: return "job resumed"
        case .stale: return "job stale"
        case .chaos: return "failure injection changed"
        }
    }
}
