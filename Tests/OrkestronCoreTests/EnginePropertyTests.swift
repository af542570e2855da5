import Testing

@testable import OrkestronCore

@Suite("Engine: invariants under random inputs")
struct EnginePropertyTests {
    /// A random configuration drawn from a seed: types, limits, priorities, overlap, retries, timeouts, quiet
    /// hours, real processes and simulated workloads.
    static func randomSetup(_ random: inout SplitMix64) -> ([JobDefinition], EngineSettings) {
        let types = ["sync", "cleanup", "batch", "metrics", "misc"]
        let jobCount = Int(random.next(in: 1, 25))
        var jobs: [JobDefinition] = []
        for index in 0..<jobCount {
            let schedule: Schedule
            switch random.next(in: 0, 3) {
            case 0: schedule = .manual
            case 1: schedule = .cron(try! CronExpression(parsing: "*/\(random.next(in: 1, 4)) * * * * *"), timeZone: "UTC")
            default: schedule = .interval(everyMs: random.next(in: 200, 5_000), offsetMs: random.next(in: 0, 199))
            }
            let minDuration = random.next(in: 0, 2_000)
            let workload: Workload =
                random.next(in: 0, 4) == 0
                ? .process(ProcessWorkload(command: ["/bin/true"]))
                : .simulated(SimulatedWorkload(
                    failureRate: random.nextUnit() * 0.6, minDurationMs: minDuration,
                    maxDurationMs: minDuration + random.next(in: 0, 2_000)))
            var job = JobDefinition(
                id: "job_\(index)", type: random.next(in: 0, 5) == 5 ? nil : types[Int(random.next(in: 0, 4))],
                schedule: schedule, priority: Int(random.next(in: 0, 3)),
                maxConcurrency: random.next(in: 0, 3) == 0 ? Int(random.next(in: 1, 3)) : nil,
                overlap: OverlapPolicy.allCases[Int(random.next(in: 0, 3))],
                timeoutMs: random.next(in: 0, 2) == 0 ? random.next(in: 100, 1_500) : nil,
                deadlineMs: random.next(in: 0, 3) == 0 ? random.next(in: 50, 3_000) : nil,
                jitterMs: random.next(in: 0, 2) == 0 ? random.next(in: 0, 150) : 0,
                retry: RetryPolicy(
                    maxRetries: Int(random.next(in: 0, 3)), backoff: RetryPolicy.Backoff.allCases[Int(random.next(in: 0, 2))],
                    initialDelayMs: random.next(in: 10, 1_000), jitter: random.nextUnit() * 0.5),
                workload: workload, pausedInitially: random.next(in: 0, 9) == 0)
            if random.next(in: 0, 5) == 0, index > 0 { job.onSuccess = ["job_\(random.next(in: 0, Int64(index - 1)))"] }
            if random.next(in: 0, 5) == 0, index > 0 { job.onFailure = ["job_\(random.next(in: 0, Int64(index - 1)))"] }
            jobs.append(job)
        }
        var typeLimits: [String: Int] = [:]
        for type in types where random.next(in: 0, 1) == 0 { typeLimits[type] = Int(random.next(in: 1, 4)) }
        let quiet = QuietHours(
            name: "q", fromSecond: Int(random.next(in: 0, 86_399)), toSecond: Int(random.next(in: 0, 86_399)),
            timeZone: "Europe/Berlin", types: ["cleanup", "batch"],
            action: random.next(in: 0, 1) == 0 ? .defer : .skip)
        let settings = EngineSettings(
            maxConcurrency: Int(random.next(in: 1, 8)), typeConcurrency: typeLimits,
            quietHours: random.next(in: 0, 1) == 0 ? [quiet] : [], seed: random.next())
        return (jobs, settings)
    }

    /// Hundreds of random job sets, each fed a random sequence of inputs on a manual clock; the invariants
    /// hold after every event.
    @Test("random job sets and inputs never break the invariants", arguments: 0..<60)
    func invariantsHold(scenario: UInt64) throws {
        var random = SplitMix64(seed: 0xC0FFEE &+ scenario)
        let (jobs, settings) = Self.randomSetup(&random)
        var checker = InvariantChecker(definitions: jobs, settings: settings)
        var actions: [EngineAction] = []
        var now = EngineHarness.monday + random.next(in: 0, 86_400_000)
        var engine = Engine(jobs: jobs, settings: settings, now: now, into: &actions)
        var processes: [String: Int] = [:]  // runId → attempt, for real processes
        var consumed = 0

        func drain() {
            for action in actions[consumed...] {
                switch action {
                case .event(let event): checker.check(event)
                case .startProcess(let launch): processes[launch.runId] = launch.attempt
                case .terminateProcess: break
                }
            }
            consumed = actions.count
        }

        for _ in 0..<400 {
            now = now + random.next(in: 0, 700)
            let ids = jobs.map(\.id)
            let pick = ids[Int(random.next(in: 0, Int64(ids.count - 1)))]
            switch random.next(in: 0, 20) {
            case 0: _ = try? engine.runNow(pick, at: now, into: &actions)
            case 1: _ = try? engine.pause([pick], by: "test", at: now, into: &actions)
            case 2: _ = try? engine.resume([pick], by: "test", at: now, into: &actions)
            case 3: _ = try? engine.cancel(jobId: pick, at: now, into: &actions)
            case 4: _ = try? engine.setChaos(jobIds: [pick], rate: random.nextUnit(), forMs: 2_000, by: "t", at: now, into: &actions)
            case 5, 6, 7:
                // A random real process ends, successfully or not.
                if let (runId, attempt) = processes.randomElement(using: &random) {
                    processes[runId] = nil
                    let outcome = ProcessOutcome(exitCode: random.next(in: 0, 1) == 0 ? 0 : 2)
                    engine.processExited(runId: runId, attempt: attempt, outcome: outcome, at: now, into: &actions)
                }
            default:
                // Let time pass, firing each timer at its own instant.
                while let wake = engine.nextWakeup, wake <= now {
                    engine.advance(to: wake, into: &actions)
                    drain()
                }
                engine.advance(to: now, into: &actions)
            }
            drain()
            if !checker.violations.isEmpty { break }
        }
        #expect(checker.violations.isEmpty, "\(checker.violations.prefix(5))")
        #expect(engine.runningCount <= settings.maxConcurrency)
    }
}
