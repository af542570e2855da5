@testable import OrkestronCore

/// Replays an engine's event stream and checks the invariants of SPEC §3 independently of the engine's own
/// bookkeeping: only legal transitions, limits never exceeded, attempts bounded, priority order among the
/// runs that could start, and no scheduled run of a paused job.
struct InvariantChecker {
    struct RunView {
        var job: String
        var trigger: Trigger
        var status: EventStatus
        var slot: Instant
        var attempt = 0
    }

    let definitions: [String: JobDefinition]
    let settings: EngineSettings
    var runs: [String: RunView] = [:]
    var running: [String: Int] = [:]
    var runningByType: [String: Int] = [:]
    var runningTotal = 0
    var paused: Set<String> = []
    var lastSeq: UInt64 = 0
    var violations: [String] = []

    init(definitions: [JobDefinition], settings: EngineSettings) {
        self.definitions = Dictionary(uniqueKeysWithValues: definitions.map { ($0.id, $0) })
        self.settings = settings
        for definition in definitions where definition.pausedInitially { paused.insert(definition.id) }
    }

    mutating func check(_ event: Event) {
        if event.seq <= lastSeq { violations.append("seq \(event.seq) after \(lastSeq)") }
        lastSeq = event.seq
        guard let runId = event.runId else {
            switch event.status {
            case .paused: paused.insert(event.jobId)
            case .resumed: paused.remove(event.jobId)
            default: break
            }
            return
        }
        guard let definition = definitions[event.jobId] else {
            violations.append("event for unknown job \(event.jobId)")
            return
        }
        if var run = runs[runId] {
            if !run.status.canTransition(to: event.status) {
                violations.append("\(runId): illegal \(run.status) → \(event.status)")
            }
            if event.status == .running { checkStart(runId, run, at: event) }
            applyCounts(previous: run.status, next: event.status, job: definition)
            run.status = event.status
            if event.status == .queued, let attempt = event.attempt { run.attempt = attempt }
            if event.status == .queued, run.attempt > 1 + definition.retry.maxRetries {
                violations.append("\(runId): attempt \(run.attempt) > 1 + \(definition.retry.maxRetries)")
            }
            runs[runId] = event.endsRun ? nil : run
        } else {
            guard event.status.canStartRun, let trigger = event.trigger, let slot = event.slot else {
                violations.append("\(runId): starts with \(event.status) trigger \(String(describing: event.trigger))")
                return
            }
            runs[runId] = RunView(job: event.jobId, trigger: trigger, status: event.status, slot: slot,
                                  attempt: event.attempt ?? 0)
            if event.status == .scheduled && paused.contains(event.jobId) {
                violations.append("\(runId): slot recorded while \(event.jobId) is paused")
            }
        }
    }

    private mutating func applyCounts(previous: EventStatus, next: EventStatus, job: JobDefinition) {
        let type = job.type ?? ""
        if next == .running {
            running[job.id, default: 0] += 1
            runningByType[type, default: 0] += 1
            runningTotal += 1
            if running[job.id]! > job.effectiveMaxConcurrency { violations.append("\(job.id) over its limit") }
            if let limit = job.type.flatMap({ settings.typeConcurrency[$0] }), runningByType[type]! > limit {
                violations.append("type \(type) over its limit \(limit)")
            }
            if runningTotal > settings.maxConcurrency { violations.append("global limit exceeded") }
        } else if previous == .running {
            running[job.id, default: 0] -= 1
            runningByType[type, default: 0] -= 1
            runningTotal -= 1
        }
    }

    /// The run starting must be the best of the queued runs that could start: same or lower priority, and at
    /// equal priority no earlier slot (then job id).
    private mutating func checkStart(_ runId: String, _ run: RunView, at event: Event) {
        let job = definitions[run.job]!
        if paused.contains(run.job) && run.trigger != .manual {
            violations.append("\(runId): scheduled run of paused \(run.job) started")
        }
        for (otherId, other) in runs where other.status == .queued && otherId != runId {
            let otherJob = definitions[other.job]!
            if paused.contains(other.job) && other.trigger != .manual { continue }
            if running[other.job, default: 0] >= otherJob.effectiveMaxConcurrency { continue }
            if let type = otherJob.type, let limit = settings.typeConcurrency[type],
                runningByType[type, default: 0] >= limit
            {
                continue
            }
            let better =
                otherJob.priority > job.priority
                || (otherJob.priority == job.priority
                    && (other.slot < run.slot || (other.slot == run.slot && other.job < run.job)))
            if better {
                violations.append("\(runId) started at \(event.time) before better queued \(otherId)")
            }
        }
    }
}
