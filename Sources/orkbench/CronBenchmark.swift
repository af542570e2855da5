import ArgumentParser
import Foundation
import OrkestronCore

/// Row 1: cron next-fire evaluations per second, ours against systemd-analyze calendar, croniter and cronsim.
///
/// The mix is every distinct (expression, zone) of the shared cron test vectors, each started at its vector's
/// `from`: simple and odd expressions, `L`, `W`, `#`, macros, and zones with 30-minute and 45-minute offsets and
/// DST. Each engine computes, per entry, the same number of successive fire times from the same start, the
/// expression parsed beforehand. That number is `--iterations`, or fewer when the expression would run past
/// 2199, the last year systemd's calendar computes.
struct CronBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Cron next-fire evaluations per second, against systemd-analyze calendar, croniter and cronsim."
    )

    @Option(help: ArgumentHelp("The cron test vectors whose expressions and zones make the mix.", valueName: "path"))
    var vectors = "../shared/testdata/cron-vectors.jsonl"

    @Option(help: ArgumentHelp("Fire times computed per expression (fewer when past 2199).", valueName: "n"))
    var iterations = 1_000

    @Option(help: ArgumentHelp("The Python driver of the peers.", valueName: "path"))
    var peersScript = "Sources/orkbench/Peers/cron_peers.py"

    @Option(help: ArgumentHelp("Peers to run, comma-separated (systemd, croniter, cronsim), or none.", valueName: "list"))
    var peers = "systemd,croniter,cronsim"

    @OptionGroup var options: BenchmarkOptions

    static let target = 5.0
    /// systemd's calendar gives no elapse after 2199; the mix stops there for every engine.
    static let horizon = Instant(iso8601: "2200-01-01T00:00:00Z")!

    /// One expression of the mix, ready to evaluate.
    struct Entry {
        var expression: String
        var zone: String
        var start: Instant
        var schedule: CronSchedule
        var iterations: Int
        var expected: [Instant]
    }

    func run() async throws {
        let mix = try loadMix()
        let evaluations = mix.reduce(0) { $0 + $1.iterations }

        // Ours: per repeat, the CPU seconds of each entry, so any peer's subset can be priced alike.
        var seconds: [[Double]] = []
        for _ in 0..<options.repeats {
            seconds.append(mix.map(Self.measure))
        }
        func rate(_ indices: [Int]) -> (median: Double, raw: [Double]) {
            let count = indices.reduce(0) { $0 + mix[$1].iterations }
            let raw = seconds.map { repeatSeconds in Double(count) / indices.reduce(0) { $0 + repeatSeconds[$1] } }
            return (raw.median, raw)
        }
        let ours = rate(Array(mix.indices))

        var peerResults: [BenchmarkResult.PeerResult] = []
        var notes: [String] = []
        if peers != "none" {
            let answer = try runPeers(mix)
            for name in ["systemd-analyze calendar", "croniter", "cronsim"] {
                guard let peer = answer.peers[name] else { continue }
                let supported = peer.entries.indices.filter { peer.entries[$0].supported }
                let raw = (0..<options.repeats).map { repeatIndex in
                    let count = supported.reduce(0) { $0 + (peer.entries[$1].evaluations ?? 0) }
                    let time = supported.reduce(0.0) { $0 + (peer.entries[$1].seconds?[repeatIndex] ?? 0) }
                    return Double(count) / time
                }
                let same = rate(supported)
                let disagreeing = supported.filter { peer.entries[$0].agrees == false }
                let skipped = peer.entries.indices.filter { !peer.entries[$0].supported }
                var note = "\(supported.count) of \(mix.count) expressions"
                if !skipped.isEmpty {
                    note += "; cannot evaluate: " + skipped.map { "`\(mix[$0].expression)`" }.joined(separator: ", ")
                }
                if !disagreeing.isEmpty {
                    note += "; first fire times differ from the vectors (DST or syntax rules) for "
                        + disagreeing.map { "`\(mix[$0].expression)` \(mix[$0].zone)" }.joined(separator: ", ")
                }
                peerResults.append(
                    BenchmarkResult.PeerResult(
                        name: name, version: peer.version, value: raw.median, raw: raw, oursOnSameWork: same.median,
                        ratio: same.median / raw.median, note: note))
            }
        } else {
            notes.append("peers not run (--peers none)")
        }

        let systemd = peerResults.first { $0.name == "systemd-analyze calendar" }
        let result = BenchmarkResult(
            measure: "cron.next-fire", title: "cron next-fire evaluations per second", unit: "evaluations/s",
            higherIsBetter: true, ours: ours.median, raw: ours.raw, peers: peerResults, ratio: systemd?.ratio,
            target: .init(text: "≥ 5× systemd-analyze calendar", met: (systemd?.ratio ?? 0) >= Self.target),
            method: """
                \(mix.count) distinct expression/zone pairs of the shared cron vectors, each from its vector's start; \
                per pair min(\(iterations), fires before 2200) successive next-fire evaluations (\(evaluations) in \
                all), parsed beforehand; thread CPU time; median of \(options.repeats) repeats. Peers on the same \
                pairs they can express (systemd: OnCalendar translation, zone from TZ, start-up cancelled by timing \
                --iterations=1 and =N; croniter and cronsim in-process), ours priced on the same subset for each ratio.
                """,
            notes: notes)

        var line = "cron: \(grouped(ours.median)) evaluations/s over \(mix.count) expressions"
        for peer in peerResults {
            line += "; \(peer.name) \(grouped(peer.value))/s (\(String(format: "%.1f", peer.ratio))×)"
        }
        line += " — target ≥ 5× systemd: " + (result.target.met ? "met" : "missed")
        print(line)
        if let path = options.json { try result.write(to: path) }
    }

    /// CPU seconds for one entry's evaluations.
    static func measure(_ entry: Entry) -> Double {
        let began = threadCPUSeconds()
        var cursor = entry.start
        for _ in 0..<entry.iterations {
            guard let next = entry.schedule.next(after: cursor) else { break }
            cursor = next
        }
        let elapsed = threadCPUSeconds() - began
        blackHole(cursor)
        return elapsed
    }

    // MARK: - The mix

    struct Vector: Decodable {
        var expr: String
        var tz: String?
        var from: String?
        var next: [String]?
        var invalid: Bool?
    }

    func loadMix() throws -> [Entry] {
        guard let text = try? String(contentsOfFile: vectors, encoding: .utf8) else {
            throw ValidationError("cannot read the cron vectors at \(vectors) (--vectors)")
        }
        var seen = Set<String>()
        var mix: [Entry] = []
        for line in text.split(separator: "\n") {
            let vector = try JSONDecoder().decode(Vector.self, from: Data(line.utf8))
            guard vector.invalid != true, let zoneID = vector.tz, let from = vector.from,
                let start = Instant(iso8601: from), seen.insert(vector.expr + "\u{0}" + zoneID).inserted
            else { continue }
            guard let zone = ZoneRules.named(zoneID) else { throw ValidationError("unknown zone \(zoneID)") }
            let schedule = CronSchedule(expression: try CronExpression(parsing: vector.expr), zone: zone)
            // The horizon caps the count for rare expressions (a leap day: ~44 fires before 2200).
            var count = 0
            var cursor = start
            while count < iterations, let next = schedule.next(after: cursor), next < Self.horizon {
                count += 1
                cursor = next
            }
            mix.append(
                Entry(
                    expression: vector.expr, zone: zoneID, start: start, schedule: schedule, iterations: count,
                    expected: (vector.next ?? []).compactMap { Instant(iso8601: $0) }))
        }
        return mix
    }

    // MARK: - Peers

    struct PeerAnswer: Decodable {
        struct Peer: Decodable {
            var version: String
            var entries: [PeerEntry]
        }

        struct PeerEntry: Decodable {
            var supported: Bool
            var agrees: Bool?
            var evaluations: Int?
            var seconds: [Double]?
        }

        var peers: [String: Peer]
    }

    func runPeers(_ mix: [Entry]) throws -> PeerAnswer {
        let entries: [[String: Any]] = mix.map { entry in
            [
                "expr": entry.expression, "tz": entry.zone, "from": entry.start.millisecondsSinceEpoch / 1_000,
                "iterations": entry.iterations, "expected": entry.expected.map { $0.millisecondsSinceEpoch / 1_000 },
            ]
        }
        let directory = FileManager.default.temporaryDirectory
        let mixPath = directory.appendingPathComponent("orkbench-cron-mix-\(getpid()).json").path
        let answerPath = directory.appendingPathComponent("orkbench-cron-peers-\(getpid()).json").path
        defer {
            try? FileManager.default.removeItem(atPath: mixPath)
            try? FileManager.default.removeItem(atPath: answerPath)
        }
        try writeFile(mixPath, JSONSerialization.data(withJSONObject: entries))
        let cost = try runChild(
            ["python3", peersScript, "--mix", mixPath, "--repeats", String(options.repeats), "--peers", peers],
            stdoutPath: answerPath, keepStderr: true)
        guard cost.status == 0 else {
            throw ValidationError("\(peersScript) failed (status \(cost.status)); run it alone to see why")
        }
        guard let answer = FileManager.default.contents(atPath: answerPath) else {
            throw ValidationError("\(peersScript) wrote no answer")
        }
        return try JSONDecoder().decode(PeerAnswer.self, from: answer)
    }
}
