/// How an attempt ended, from the engine's point of view.
enum AttemptEnd {
    case success
    case failed(String)
    case timeout
    case cancelled(String)
    case interrupted

    var status: EventStatus {
        switch self {
        case .success: return .success
        case .failed: return .failed
        case .timeout: return .timeout
        case .cancelled: return .cancelled
        case .interrupted: return .interrupted
        }
    }
}

extension Engine {
    // MARK: - Creating and queueing runs

    /// Creates a run record and gives it the job's next run id.
    mutating func createRun(
        job: Int, trigger: Trigger, slot: Instant, phase: RunRecord.Phase, triggeredBy: TriggerSource? = nil,
        id: String? = nil
    ) -> Int {
        let key = runs.nextKey
        runSerial += 1
        let runId: String
        if let id {
            runId = id
        } else {
            jobs[job].runCounter += 1
            runId = runID(job: job, counter: jobs[job].runCounter)
            markDirty(job)
        }
        runs.insert(
            RunRecord(
                key: key, serial: runSerial, job: job, id: runId, trigger: trigger, slot: slot,
                triggeredBy: triggeredBy, token: issueToken(), phase: phase, queuedAt: now))
        jobs[job].active.append(key)
        return key
    }

    /// Emits the first QUEUED of a manual, triggered or catch-up run and puts it in line.
    mutating func enqueueNewRun(_ key: Int, into out: inout [EngineAction]) {
        guard let run = runs[key] else { return }
        queue(key, firstEvent: true, reason: nil, into: &out)
        if let deadline = jobs[run.job].definition.deadlineMs, run.trigger != .manual {
            schedule(.deadline(run: key, serial: run.serial), at: run.slot + deadline)
        }
    }

    /// Moves a run to QUEUED for its next attempt: into the dispatch queue, or held while its job is paused
    /// (manual runs are never held).
    mutating func queue(_ key: Int, firstEvent: Bool = false, reason: String?, into out: inout [EngineAction]) {
        guard var run = runs[key] else { return }
        let job = run.job
        run.attempt += 1
        run.queuedAt = now
        run.token = issueToken()
        let hold = jobs[job].paused && run.trigger != .manual
        run.phase = hold ? .held : .queued
        runs[key] = run
        emit(
            job: job, run: key, status: .queued, attempt: run.attempt, reason: reason,
            trigger: firstEvent ? run.trigger : nil, slot: run.slot, triggeredBy: firstEvent ? run.triggeredBy : nil,
            into: &out)
        if hold {
            jobs[job].held.append(key)
        } else {
            jobs[job].queue.insert(run.queueEntry)
            refresh(job: job)
        }
    }

    // MARK: - Attempts

    mutating func startAttempt(_ key: Int, into out: inout [EngineAction]) {
        guard var run = runs[key] else { return }
        let job = run.job
        run.phase = .running
        run.startedAt = now
        run.token = issueToken()
        // Never negative: after the wall clock was set back, a run queued for a slot now "in the future" starts
        // on time, not early.
        let lateness: Int64? =
            (!run.everStarted && (run.trigger == .schedule || run.trigger == .catchup))
            ? max(now.milliseconds(since: run.slot), 0) : nil
        run.everStarted = true
        jobs[job].running += 1
        types[jobs[job].typeIndex].running += 1
        runningCount += 1
        emit(
            job: job, run: key, status: .running, attempt: run.attempt, slot: run.slot, latenessMs: lateness,
            queueWaitMs: now.milliseconds(since: run.queuedAt), into: &out)

        let definition = jobs[job].definition
        let chaos = jobs[job].chaosRate
        switch definition.workload {
        case .process(let process):
            run.isProcess = true
            runs[key] = run
            if let chaos, chaos > 0, jobs[job].random.nextUnit() < chaos {
                endAttempt(key, .failed("injected failure (chaos), before the process started"), into: &out)
                return
            }
            out.append(
                .startProcess(
                    ProcessLaunch(
                        jobId: definition.id, runId: run.id, attempt: run.attempt, workload: process,
                        scheduledAt: run.slot, triggeredBy: run.triggeredBy)))
        case .simulated(let workload):
            let duration = jobs[job].random.next(in: workload.minDurationMs, workload.maxDurationMs)
            let rate = chaos ?? workload.failureRate
            run.simulatedFailure = rate > 0 && jobs[job].random.nextUnit() < rate
            run.failureInjected = chaos != nil
            runs[key] = run
            schedule(.completion(run: key, token: run.token), at: now + duration)
        }
        if let timeout = definition.timeoutMs {
            schedule(.timeout(run: key, token: run.token), at: now + timeout)
        }
    }

    /// Ends the current attempt of a running run and decides what follows: success, a retry, or the end.
    mutating func endAttempt(
        _ key: Int, _ end: AttemptEnd, process: ProcessOutcome? = nil, into out: inout [EngineAction]
    ) {
        guard var run = runs[key] else { return }
        let job = run.job
        jobs[job].running -= 1
        types[jobs[job].typeIndex].running -= 1
        runningCount -= 1
        run.token = issueToken()
        runs[key] = run
        let duration = now.milliseconds(since: run.startedAt)
        let exitCode = process?.exitCode
        let signal = process?.signal

        switch end {
        case .success:
            emit(
                job: job, run: key, status: .success, attempt: run.attempt, durationMs: duration,
                exitCode: exitCode, signal: signal, into: &out)
            finishRun(key, status: .success, into: &out)
        case .cancelled(let reason):
            emit(
                job: job, run: key, status: .cancelled, attempt: run.attempt, durationMs: duration, reason: reason,
                exitCode: exitCode, signal: signal, into: &out)
            finishRun(key, status: .cancelled, into: &out)
        case .failed, .timeout, .interrupted:
            let reason: String
            switch end {
            case .failed(let text): reason = text
            case .timeout: reason = "timed out after \(jobs[job].definition.timeoutMs ?? duration) ms"
            case .interrupted: reason = "interrupted by daemon restart"
            case .success, .cancelled: reason = ""
            }
            let retry = jobs[job].definition.retry
            if run.attempt < 1 + retry.maxRetries && !jobs[job].removed {
                let draw = retry.jitter > 0 ? jobs[job].random.nextUnit() : 0
                let delay = retry.delayMs(afterAttempt: run.attempt, unitDraw: draw)
                emit(
                    job: job, run: key, status: end.status, attempt: run.attempt,
                    durationMs: end.isInterrupted ? nil : duration, nextRetryIn: delay, reason: reason,
                    exitCode: exitCode, signal: signal, into: &out)
                emit(job: job, run: key, status: .retry, attempt: run.attempt, nextRetryIn: delay, into: &out)
                let until = now + delay
                runs[key]?.phase = .retryWait(until: until)
                schedule(.retry(run: key, token: run.token), at: until)
            } else if end.isInterrupted {
                emit(
                    job: job, run: key, status: .interrupted, attempt: run.attempt, reason: reason, into: &out)
                emit(job: job, run: key, status: .failed, attempt: run.attempt, reason: reason, into: &out)
                finishRun(key, status: .failed, into: &out)
            } else {
                emit(
                    job: job, run: key, status: end.status, attempt: run.attempt, durationMs: duration,
                    reason: reason, exitCode: exitCode, signal: signal, into: &out)
                finishRun(key, status: end.status, into: &out)
            }
        }
        refresh(job: job)
    }

    /// Forgets an ended run and applies what its end implies: triggers, failure streaks, staleness.
    mutating func finishRun(_ key: Int, status: EventStatus, into out: inout [EngineAction]) {
        guard let run = runs.remove(key) else { return }
        let job = run.job
        if let index = jobs[job].active.firstIndex(of: key) { jobs[job].active.remove(at: index) }
        jobs[job].lastFinished = (run.id, status, now)

        switch status {
        case .success:
            jobs[job].lastSuccess = now
            jobs[job].consecutiveFailures = 0
            markDirty(job)
            armStaleness(job)
            trigger(jobs[job].definition.onSuccess, by: run, status: status, kind: .onSuccess, into: &out)
        case .failed, .timeout:
            jobs[job].consecutiveFailures += 1
            markDirty(job)
            trigger(jobs[job].definition.onFailure, by: run, status: status, kind: .onFailure, into: &out)
            if let limit = jobs[job].definition.pauseAfterFailures, jobs[job].consecutiveFailures >= limit,
                !jobs[job].paused
            {
                setPaused(
                    job, by: "auto", reason: "after \(jobs[job].consecutiveFailures) consecutive failed runs",
                    into: &out)
            }
        case .cancelled, .skipped, .scheduled, .queued, .running, .retry, .deferred, .interrupted, .paused,
            .resumed, .stale, .chaos:
            break
        }
    }

    mutating func trigger(
        _ targets: [String], by source: RunRecord, status: EventStatus, kind: Trigger,
        into out: inout [EngineAction]
    ) {
        for target in targets {
            guard let job = jobIndex[target], !jobs[job].removed else { continue }
            let origin = TriggerSource(jobId: jobs[source.job].definition.id, runId: source.id, status: status)
            let key = createRun(job: job, trigger: kind, slot: now, phase: .queued, triggeredBy: origin)
            enqueueNewRun(key, into: &out)
        }
    }

    // MARK: - Cancel and pause

    mutating func cancelRun(_ key: Int, reason: String, into out: inout [EngineAction]) {
        guard var run = runs[key] else { return }
        let job = run.job
        switch run.phase {
        case .queued:
            removeFromQueue(key, job: job)
        case .held:
            jobs[job].held.removeAll { $0 == key }
        case .deferred:
            jobs[job].deferred.removeAll { $0 == key }
        case .retryWait:
            run.token = issueToken()
            runs[key] = run
        case .running:
            if run.isProcess {
                run.phase = .stopping(.cancel)
                run.cancelReason = reason
                runs[key] = run
                out.append(.terminateProcess(terminationRequest(for: run, reason: .cancel)))
            } else {
                endAttempt(key, .cancelled(reason), into: &out)
            }
            return
        case .stopping:
            return
        }
        emit(job: job, run: key, status: .cancelled, attempt: run.attempt, reason: reason, into: &out)
        finishRun(key, status: .cancelled, into: &out)
    }

    func terminationRequest(for run: RunRecord, reason: ProcessTermination.Reason) -> ProcessTermination {
        ProcessTermination(
            jobId: jobs[run.job].definition.id, runId: run.id, attempt: run.attempt,
            graceMs: jobs[run.job].definition.killGraceMs, reason: reason)
    }

    mutating func setPaused(_ job: Int, by who: String, reason: String?, into out: inout [EngineAction]) {
        jobs[job].paused = true
        jobs[job].pausedBy = who
        jobs[job].pausedAt = now
        jobs[job].pauseReason = reason
        markDirty(job)
        emit(job: job, run: nil, status: .paused, reason: reason, by: who, into: &out)
        // Queued non-manual runs wait outside the dispatch queue until resume.
        let waiting = jobs[job].queue.elements.map(\.run).filter { runs[$0]?.trigger != .manual }
        guard !waiting.isEmpty else { return }
        jobs[job].queue.removeAll { runs[$0.run]?.trigger != .manual }
        for key in waiting.sorted() {
            runs[key]?.phase = .held
            jobs[job].held.append(key)
        }
        refresh(job: job)
    }
}

extension AttemptEnd {
    var isInterrupted: Bool {
        if case .interrupted = self { return true }
        return false
    }
}
