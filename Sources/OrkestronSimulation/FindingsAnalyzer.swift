import OrkestronCore

/// Reads a finished simulation for what an operator should change, and says it in plain words.
///
/// Every finding is backed by numbers from the same run and carries them, so it can be checked against the
/// tables. The thresholds are deliberately plain: a wait counts from 1 s at the 99th percentile, a failure share
/// from 5 % of the runs that ended with a result, and each per-job kind lists its five worst jobs and then how
/// many more there are.
struct FindingsAnalyzer {
    let report: SimulationReport
    let definitions: [String: JobDefinition]
    let settings: EngineSettings
    let tally: SimulationTally

    /// A p99 queue wait from this on is worth a finding.
    static let noticeableWaitMs: Int64 = SimulationTally.noticeableWaitMs
    /// A share of runs ending FAILED from this on is worth a finding.
    static let failureShare = 0.05
    /// Per-job findings of one kind beyond this many are summed up in one line.
    static let perKindLimit = 5

    func findings() -> [Finding] {
        var findings: [Finding] = []
        findings += globalContention()
        findings += typeContention()
        findings += quietHours()
        findings += overlap()
        findings += deadline()
        findings += failures()
        findings += timeouts()
        findings += autoPauses()
        findings += staleness()
        return findings
    }

    private var window: String { DurationText.format(report.durationMs) }

    /// A measured time: "4.1s", "2m 14s".
    private func d(_ ms: Int64) -> String { SimulationFormat.duration(ms: ms) }

    /// A configured time, as the configuration would write it: "3s", "30m", "1h30m".
    private func c(_ ms: Int64) -> String { DurationText.format(ms) }

    // MARK: - Slots

    private func globalContention() -> [Finding] {
        let blocked = tally.global.blockedMs
        let wait = report.total.queueWaitMs
        guard blocked > 0, wait.p99 >= Self.noticeableWaitMs || blocked * 100 >= report.durationMs else { return [] }
        let byType = tally.groups.reduce(0) { $0 + $1.blockedByTypeMs }
        let byGlobal = tally.groups.reduce(0) { $0 + $1.blockedByGlobalMs }
        // When type limits held the queue back longer, the type findings say it better.
        guard byGlobal >= byType else { return [] }
        let limit = settings.maxConcurrency
        let text = "runs waited p99 \(d(wait.p99)) for a slot: [daemon] max_concurrency \(limit) is too low for "
            + "\(report.jobs.count) jobs (\(limit == 1 ? "the only slot" : "all \(limit) slots") busy with runs queued for "
            + "\(d(blocked)) of \(window); "
            + "peak queue \(report.total.peakQueueDepth); slots \(SimulationFormat.percent(report.utilization)) busy)"
        return [Finding(kind: .globalContention, subject: "", text: text)]
    }

    private func typeContention() -> [Finding] {
        var found: [(wait: Int64, finding: Finding)] = []
        for group in tally.groups {
            guard let name = group.name, let limit = group.limit, let type = report.type(name) else { continue }
            let wait = type.stats.queueWaitMs
            guard wait.p99 >= Self.noticeableWaitMs, group.blockedByTypeMs > 0,
                group.blockedByTypeMs >= group.blockedByGlobalMs
            else { continue }
            let jobs = type.jobs == 1 ? "1 \(name) job" : "\(type.jobs) \(name) jobs"
            let slots = limit == 1 ? "the only \(name) slot" : "all \(limit) \(name) slots"
            let text = "\(name) jobs waited p99 \(d(wait.p99)) for a slot: max_concurrency \(limit) is too low for "
                + "\(jobs) (runs queued behind \(slots) busy for \(d(group.blockedByTypeMs)) of \(window); "
                + "peak queue \(type.stats.peakQueueDepth))"
            found.append((wait.p99, Finding(kind: .typeContention, subject: name, text: text)))
        }
        return found.sorted { $0.wait != $1.wait ? $0.wait > $1.wait : $0.finding.subject < $1.finding.subject }
            .map(\.finding)
    }

    // MARK: - Quiet hours

    private func quietHours() -> [Finding] {
        var findings: [Finding] = []
        for window in settings.quietHours {
            let reason = OutcomeReason.quietHours(window.name)
            let affected = report.jobs.compactMap { job -> (job: SimulationReport.Job, count: Int)? in
                let count = window.action == .defer ? job.stats.deferred[reason] ?? 0 : job.stats.skipped[reason] ?? 0
                return count > 0 ? (job, count) : nil
            }
            guard !affected.isEmpty else { continue }
            let until = SimulationFormat.timeOfDay(seconds: window.toSecond)
                + (window.timeZone == "UTC" ? "" : " (\(window.timeZone))")
            if window.action == .skip {
                let total = affected.reduce(0) { $0 + $1.count }
                let whose = affected.count == 1 ? affected[0].job.id : "\(affected.count) jobs"
                findings.append(
                    Finding(
                        kind: .quietHours, subject: window.name,
                        text: "quiet hours '\(window.name)' skipped \(total) runs of \(whose) (until \(until) each time)"))
                continue
            }
            if affected.count <= 3 {
                for (job, count) in affected {
                    let text = "quiet hours '\(window.name)' deferred \(count) runs of \(job.id) to \(until)"
                        + afterRelease(of: [job], window: window.name, total: count)
                    findings.append(Finding(kind: .quietHours, subject: window.name, text: text))
                }
            } else {
                let total = affected.reduce(0) { $0 + $1.count }
                var types: [String: Int] = [:]
                for (job, _) in affected { types[job.type ?? "untyped", default: 0] += 1 }
                let mix = types.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                let text = "quiet hours '\(window.name)' deferred \(total) runs of \(affected.count) jobs (\(mix)) to "
                    + until + afterRelease(of: affected.map(\.job), window: window.name, total: total)
                findings.append(Finding(kind: .quietHours, subject: window.name, text: text))
            }
        }
        return findings
    }

    /// "; 36 were coalesced and 5 ran when the window ended, where they queued behind sync (p99 wait 2m 3s)".
    private func afterRelease(of jobs: [SimulationReport.Job], window: String, total: Int) -> String {
        var started = 0
        var waits: [Int64] = []
        var onOwnType = 0
        var blockers = Array(repeating: 0, count: tally.groups.count)
        let ids = Set(jobs.map(\.id))
        for job in tally.jobs where ids.contains(job.id) {
            guard let release = job.releases[window] else { continue }
            started += release.runs
            waits += release.waitsMs
            onOwnType += release.waitedOnOwnType
            for (group, slots) in release.blockers.enumerated() { blockers[group] += slots }
        }
        let coalesced = jobs.reduce(0) { $0 + ($1.stats.skipped[.coalesced] ?? 0) }
        let pastDeadline = tally.jobs.filter { ids.contains($0.id) }.reduce(0) { $0 + $1.deadlineWhileDeferred }
        let overlapped = tally.jobs.filter { ids.contains($0.id) }.reduce(0) { $0 + $1.overlapAtRelease }
        var text = coalesced > 0 ? "; \(coalesced) were coalesced" : ""
        if pastDeadline > 0 { text += (text.isEmpty ? "; " : ", ") + "\(pastDeadline) passed their deadline" }
        if overlapped > 0 {
            text += (text.isEmpty ? "; " : ", ") + "\(overlapped) skipped at the window's end because a run was already active"
        }
        text += (text.isEmpty ? "; " : " and ") + "\(started) ran when the window ended"
        let pending = total - coalesced - pastDeadline - overlapped - started
        let note = pending > 0 ? "; \(pending) had not run when the simulation ended" : ""
        let p99 = SimulationFormat.percentile(waits, 99)
        guard p99 >= Self.noticeableWaitMs else { return text + note }
        let waited = waits.filter { $0 >= Self.noticeableWaitMs }.count
        let top = blockers.indices.max { (blockers[$0], $1) < (blockers[$1], $0) }
        let behind: String
        if let top, blockers[top] > 0, waited - onOwnType > onOwnType {
            // Most waited with room in their own type: the global slots were held, mostly by this group.
            behind = tally.groups[top].name.map { "\($0) runs" } ?? "untyped jobs"
        } else {
            let types = Set(jobs.compactMap(\.type)).sorted()
            behind = "the limit of their own type" + (types.count == 1 ? " (\(types[0]))" : "")
        }
        return text + ", where \(waited) of them queued behind \(behind) (p99 wait \(d(p99)))" + note
    }

    // MARK: - Per job

    /// "1 more job", "3 more jobs".
    private func more(_ count: Int) -> String { count == 1 ? "1 more job" : "\(count) more jobs" }

    /// The first `perKindLimit` findings, then one line for the rest.
    private func limited(_ findings: [Finding], kind: Finding.Kind, rest: (Int) -> String) -> [Finding] {
        guard findings.count > Self.perKindLimit else { return findings }
        return Array(findings.prefix(Self.perKindLimit))
            + [Finding(kind: kind, subject: "", text: rest(findings.count - Self.perKindLimit))]
    }

    private func overlap() -> [Finding] {
        let jobs = report.jobs.filter { ($0.stats.skipped[.overlap] ?? 0) > 0 }
            .sorted { ($0.stats.skipped[.overlap]!, $1.id) > ($1.stats.skipped[.overlap]!, $0.id) }
        let findings = jobs.map { job -> Finding in
            let skipped = job.stats.skipped[.overlap] ?? 0
            var text = "\(job.id) skipped \(skipped) of \(job.stats.slots) slots because the previous run was still "
                + "active"
            let p99 = job.stats.durationMs.p99
            let span = tally.jobs.first { $0.id == job.id }?.maxSpanMs ?? 0
            // What made runs outlast their duration: waiting for a slot, or retries and their back-off.
            var extra = ""
            if job.stats.queueWaitMs.p99 >= Self.noticeableWaitMs {
                extra = ", waiting for a slot included"
            } else if job.stats.retries > 0 {
                extra = ", retries and back-off included"
            }
            if case .interval(let every, _)? = definitions[job.id]?.schedule {
                if p99 > every {
                    text += " (p99 duration \(d(p99)) > interval \(c(every)))"
                } else if span > every {
                    text += " (runs took up to \(d(span)) from slot to end\(extra), > interval \(c(every)))"
                }
            } else {
                text += " (p99 duration \(d(p99)); runs took up to \(d(span)) from slot to end\(extra))"
            }
            return Finding(kind: .overlap, subject: job.id, text: text)
        }
        return limited(findings, kind: .overlap) {
            "\(more($0)) skipped slots because the previous run was still active"
        }
    }

    private func deadline() -> [Finding] {
        let jobs = report.jobs.filter { ($0.stats.skipped[.deadline] ?? 0) > 0 }
            .sorted { ($0.stats.skipped[.deadline]!, $1.id) > ($1.stats.skipped[.deadline]!, $0.id) }
        let findings = jobs.map { job -> Finding in
            let skipped = job.stats.skipped[.deadline] ?? 0
            let deferred = tally.jobs.first { $0.id == job.id }?.deadlineWhileDeferred ?? 0
            let limit = definitions[job.id]?.deadlineMs.map(c) ?? "?"
            var text = "\(job.id) skipped \(skipped) runs that did not start within deadline \(limit) of their slot"
            if deferred == skipped {
                text += ": quiet hours deferred them past it"
            } else {
                // The skipped runs never started, so their own wait is not in the job's percentiles; the wait of
                // the runs they queued with is.
                if let type = job.type, let wait = report.type(type)?.stats.queueWaitMs, wait.count > 0 {
                    text += " (\(type) runs waited p99 \(d(wait.p99)) for a slot)"
                } else {
                    text += " (runs that started waited p99 \(d(job.stats.queueWaitMs.p99)) for a slot)"
                }
                if deferred > 0 { text += "; \(deferred) of them were deferred by quiet hours past it" }
            }
            return Finding(kind: .deadline, subject: job.id, text: text)
        }
        return limited(findings, kind: .deadline) { "\(more($0)) skipped runs past their deadline" }
    }

    private func retries(of job: SimulationReport.Job) -> String {
        let retries = definitions[job.id]?.retry.maxRetries ?? 0
        switch retries {
        case 0: return "with no retries"
        case 1: return "after 1 retry"
        default: return "after \(retries) retries"
        }
    }

    private func overrideNote(_ job: SimulationReport.Job) -> String {
        let rate = report.failureRates.last { $0.target == job.id }
            ?? report.failureRates.last { $0.target == job.type }
        return rate.map { " (--failure-rate \($0.target)=\($0.rate))" } ?? ""
    }

    private func failures() -> [Finding] {
        let failing = report.jobs.filter { job in
            let base = job.stats.finishedWithResult
            return job.stats.failures > 0 && Double(job.stats.failures) >= Self.failureShare * Double(base)
        }
        func share(_ job: SimulationReport.Job) -> Double {
            Double(job.stats.failures) / Double(max(job.stats.finishedWithResult, 1))
        }
        let sorted = failing.sorted { (share($0), $0.stats.failures, $1.id) > (share($1), $1.stats.failures, $0.id) }
        let findings = sorted.map { job in
            Finding(
                kind: .failures, subject: job.id,
                text: "\(job.id) ended FAILED in \(SimulationFormat.percent(share(job))) of runs "
                    + "(\(job.stats.failures) of \(job.stats.finishedWithResult)) \(retries(of: job))"
                    + overrideNote(job))
        }
        return limited(findings, kind: .failures) {
            "\(more($0)) ended FAILED in at least \(SimulationFormat.percent(Self.failureShare)) of their runs"
        }
    }

    private func timeouts() -> [Finding] {
        let jobs = report.jobs.filter { $0.stats.timeouts > 0 }
            .sorted { ($0.stats.timeouts, $1.id) > ($1.stats.timeouts, $0.id) }
        let findings = jobs.map { job -> Finding in
            let base = max(job.stats.finishedWithResult, 1)
            var text = "\(job.id) ended TIMEOUT in \(SimulationFormat.percent(Double(job.stats.timeouts) / Double(base))) "
                + "of runs (\(job.stats.timeouts) of \(job.stats.finishedWithResult)) \(retries(of: job))"
            if let definition = definitions[job.id], let timeout = definition.timeoutMs,
                case .simulated(let workload) = definition.workload
            {
                text += ": timeout \(c(timeout)) is shorter than its longest attempts (up to \(d(workload.maxDurationMs)))"
            }
            return Finding(kind: .timeouts, subject: job.id, text: text)
        }
        return limited(findings, kind: .timeouts) { "\(more($0)) ended TIMEOUT" }
    }

    private func autoPauses() -> [Finding] {
        let paused = tally.jobs.filter { $0.autoPausedAt != nil }
        let findings = paused.map { job -> Finding in
            let at = job.autoPausedAt!.iso8601UTC
            let why = job.autoPauseReason.map { " \($0)" } ?? ""
            return Finding(
                kind: .autoPause, subject: job.id,
                text: "\(job.id) was paused automatically at \(at)\(why); its later slots did not run")
        }
        return limited(findings, kind: .autoPause) { "\(more($0)) \($0 == 1 ? "was" : "were") paused automatically" }
    }

    private func staleness() -> [Finding] {
        let stale = tally.jobs.filter { $0.stale > 0 }.sorted { ($0.stale, $1.id) > ($1.stale, $0.id) }
        let findings = stale.map { job -> Finding in
            let limit = definitions[job.id]?.maxStalenessMs.map(c) ?? "?"
            let times = job.stale == 1 ? "once" : "\(job.stale) times"
            return Finding(
                kind: .stale, subject: job.id,
                text: "\(job.id) went STALE \(times): no successful run within max_staleness \(limit)")
        }
        return limited(findings, kind: .stale) { "\(more($0)) went STALE" }
    }
}
