extension Engine {
    /// Handles one due timer. Timers made obsolete by a later change carry an old generation or token and are
    /// ignored here, which is cheaper than removing them from the heap.
    mutating func fire(_ timer: EngineTimer, into out: inout [EngineAction]) {
        switch timer.kind {
        case .slot(let job, let generation):
            guard jobs[job].slotGeneration == generation, !jobs[job].removed else { return }
            slotDue(job, into: &out)
        case .catchup(let job, let generation):
            guard jobs[job].catchupGeneration == generation else { return }
            releaseCatchup(job, into: &out)
        case .quietEnd(let job, let generation):
            guard jobs[job].quietGeneration == generation else { return }
            quietHoursEnded(job, into: &out)
        case .stale(let job, let generation):
            guard jobs[job].staleGeneration == generation, !jobs[job].removed,
                let maxStaleness = jobs[job].definition.maxStalenessMs
            else { return }
            let since = jobs[job].lastSuccess.map { "since \($0.iso8601UTC)" } ?? "since activation"
            emit(
                job: job, run: nil, status: .stale, reason: "no successful run for \(maxStaleness) ms (\(since))",
                into: &out)
            schedule(.stale(job: job, generation: generation), at: now + maxStaleness)
        case .chaosEnd(let job, let generation):
            guard jobs[job].chaosGeneration == generation else { return }
            jobs[job].chaosRate = nil
            emit(job: job, run: nil, status: .chaos, reason: "failure injection expired", by: "timer", into: &out)
        case .completion(let key, let token):
            guard let run = runs[key], run.token == token, run.phase == .running else { return }
            let failure = run.failureInjected ? "injected failure (chaos)" : "simulated failure"
            endAttempt(key, run.simulatedFailure ? .failed(failure) : .success, into: &out)
        case .timeout(let key, let token):
            guard var run = runs[key], run.token == token, run.phase == .running else { return }
            if run.isProcess {
                run.phase = .stopping(.timeout)
                runs[key] = run
                out.append(.terminateProcess(terminationRequest(for: run, reason: .timeout)))
            } else {
                endAttempt(key, .timeout, into: &out)
            }
        case .retry(let key, let token):
            guard let run = runs[key], run.token == token, case .retryWait = run.phase else { return }
            queue(key, reason: nil, into: &out)
        case .deadline(let key, let serial):
            guard let run = runs[key], run.serial == serial, !run.everStarted else { return }
            switch run.phase {
            case .queued:
                removeFromQueue(key, job: run.job)
            case .held:
                jobs[run.job].held.removeAll { $0 == key }
            case .deferred:
                jobs[run.job].deferred.removeAll { $0 == key }
            case .running, .stopping, .retryWait:
                return
            }
            let deadline = jobs[run.job].definition.deadlineMs ?? 0
            emit(
                job: run.job, run: key, status: .skipped, attempt: run.attempt,
                reason: "deadline passed: not started within \(deadline) ms of its slot", into: &out)
            finishRun(key, status: .skipped, into: &out)
        }
    }

    mutating func armStaleness(_ job: Int) {
        guard let maxStaleness = jobs[job].definition.maxStalenessMs, !jobs[job].removed else { return }
        jobs[job].staleGeneration &+= 1
        let from = jobs[job].lastSuccess ?? jobs[job].activatedAt
        schedule(.stale(job: job, generation: jobs[job].staleGeneration), at: max(from + maxStaleness, now))
    }
}
