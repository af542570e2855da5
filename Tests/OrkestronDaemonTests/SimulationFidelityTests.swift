import Foundation
import OrkestronProtocol
import Testing

/// "What you simulate is what runs": a real `orkestrond` and `orkctl simulate`, given the same configuration,
/// seed and start instant, produce the same runs with the same status sequences.
///
/// The jobs are simulated workloads with fixed durations, interval schedules and no jitter, so the only
/// randomness is the seeded failure draw. Every duration, back-off and interval is chosen at least a second
/// away from any overlap boundary: a daemon that is late by less than that (a loaded 2-core machine) cannot turn
/// a run into a skip or the other way round. Times are compared with a tolerance of `toleranceMs` per event:
/// the daemon stamps events when its timer actually fired, and lateness adds up over the few hops of a run.
@Suite("Simulation fidelity")
struct SimulationFidelityTests {
    /// Margins (worst case from slot to end vs. the next slot): fast_flaky 0.7 s of 2 s; steady 1.5 s of 3 s;
    /// long 3 s runs on 2 s slots: the next slot falls 1 s before it ends, the one after 1 s after; rare 3 s of 5 s.
    static let config = """
        [daemon]
        seed = 20261129
        max_concurrency = 16
        timezone = "UTC"

        [[job]]
        id = "fast_flaky"
        interval = "2s"
        duration = "150ms"
        failure_rate = 0.5
        retry = { max_retries = 1, backoff = "fixed", initial_delay = "400ms" }

        [[job]]
        id = "steady"
        interval = "3s"
        offset = "700ms"
        duration = "200ms"
        failure_rate = 0.3
        retry = { max_retries = 2, backoff = "exponential", initial_delay = "300ms", multiplier = 2.0 }

        [[job]]
        id = "long"
        interval = "2s"
        offset = "300ms"
        duration = "3s"
        failure_rate = 0.3

        [[job]]
        id = "rare"
        interval = "5s"
        offset = "1s"
        duration = "1s"
        failure_rate = 0.4
        retry = { max_retries = 1, backoff = "fixed", initial_delay = "1s" }
        """

    /// How long the daemon runs and the simulation covers.
    static let windowMs: Int64 = 20_000
    /// Runs whose slot lies after this (from the start) may not have ended in both; they are not compared.
    static let comparedSlotsMs: Int64 = 15_000
    /// Per event: the daemon's time may trail the simulated one by this much (and lead by none beyond 5 ms).
    static let toleranceMs: Int64 = 250

    /// One event, reduced to what both sides must agree on.
    struct Step: Equatable, CustomStringConvertible {
        var status: String
        var attempt: Int64?
        var nextRetryIn: Int64?
        var reason: String?
        var timeMs: Int64
        var durationMs: Int64?

        init(_ event: JSONValue) {
            status = event["status"]?.stringValue ?? "?"
            attempt = event["attempt"]?.intValue
            nextRetryIn = event["nextRetryIn"]?.intValue
            reason = event["reason"]?.stringValue
            timeMs = event["time"]?.stringValue.flatMap(Self.milliseconds) ?? 0
            durationMs = event["durationMs"]?.intValue
        }

        static func milliseconds(_ text: String) -> Int64? {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        }

        /// What must be identical: the transition, its attempt, the back-off and the reason.
        var shape: String {
            "\(status)#\(attempt.map(String.init) ?? "-")" + (nextRetryIn.map { " retry in \($0)" } ?? "")
                + (reason.map { " (\($0.replacingOccurrences(of: #"[a-z_]+-\d{6}"#, with: "RUN", options: .regularExpression)))" } ?? "")
        }

        var description: String { shape + " @\(timeMs)" }
    }

    /// Events by run id, for runs whose SCHEDULED slot lies in `(start, start + comparedSlotsMs]`.
    static func runs(_ events: [JSONValue], start: Int64) -> [String: [Step]] {
        var slots: [String: Int64] = [:]
        var runs: [String: [Step]] = [:]
        for event in events {
            guard let runId = event.runId else { continue }
            if event.status == "SCHEDULED", let slot = event["slot"]?.stringValue.flatMap(Step.milliseconds) {
                slots[runId] = slot
            }
            runs[runId, default: []].append(Step(event))
        }
        return runs.filter { runId, _ in
            guard let slot = slots[runId] else { return false }
            return slot > start && slot <= start + comparedSlotsMs
        }
    }

    static func orkctl() throws -> String {
        let daemon = try DaemonProcess.binaryPath()
        let path = (daemon as NSString).deletingLastPathComponent + "/orkctl"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("orkctl is not built next to orkestrond (\(path))")
        }
        return path
    }

    @Test("the daemon's runs have the status sequences orkctl simulate predicts", .timeLimit(.minutes(2)))
    func daemonMatchesSimulation() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let (live, startedAt) = try await daemon.withClient { client -> ([JSONValue], String) in
                let log = try await EventLog.subscribe(client, .object([("replay", .int(1_000))]))
                let status = try await client.call("daemon.status")
                guard let startedAt = status["startedAt"]?.stringValue, let start = Step.milliseconds(startedAt) else {
                    throw HarnessError("daemon.status has no startedAt: \(status.compact)")
                }
                let stopAt = start + Self.windowMs + 1_500
                while Int64((Date().timeIntervalSince1970 * 1000).rounded()) < stopAt {
                    try await Task.sleep(for: .milliseconds(100))
                }
                log.stop()
                return (log.events, startedAt)
            }
            let start = try #require(Step.milliseconds(startedAt))

            let eventsPath = daemon.directory + "/simulated.jsonl"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Self.orkctl())
            process.arguments = [
                "simulate", daemon.configPath, "--duration", "\(Self.windowMs)ms", "--start", startedAt,
                "--events", eventsPath,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let simulated = try String(contentsOfFile: eventsPath, encoding: .utf8)
                .split(separator: "\n").map { try JSONValue.parse(String($0)) }

            let real = Self.runs(live, start: start)
            let predicted = Self.runs(simulated, start: start)
            #expect(real.keys.sorted() == predicted.keys.sorted(), "the same runs, by id")
            for job in ["fast_flaky", "steady", "long", "rare"] {
                #expect(predicted.keys.contains { $0.hasPrefix(job + "-") }, "\(job) has runs to compare")
            }
            var worst: Int64 = 0
            for (runId, expected) in predicted.sorted(by: { $0.key < $1.key }) {
                guard let actual = real[runId] else { continue }
                #expect(actual.map(\.shape) == expected.map(\.shape), "\(runId): daemon \(actual) vs simulated \(expected)")
                for (step, model) in zip(actual, expected) {
                    let late = step.timeMs - model.timeMs
                    worst = max(worst, abs(late))
                    #expect(late >= -5 && late <= Self.toleranceMs, "\(runId) \(step.shape): \(late) ms off")
                    if let duration = step.durationMs, let modelled = model.durationMs {
                        #expect(abs(duration - modelled) <= Self.toleranceMs, "\(runId) duration \(duration) vs \(modelled)")
                    }
                }
            }
            let statuses = Set(predicted.values.flatMap { $0.map(\.status) })
            #expect(statuses.isSuperset(of: ["SUCCESS", "FAILED", "RETRY", "SKIPPED"]), "the window covers \(statuses)")
            print("simulation fidelity: \(predicted.count) runs compared, worst event time difference \(worst) ms")
        }
    }
}
