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
struct CronBenchmark: Measure {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Row 1: cron next-fire evaluations per second, against systemd-analyze calendar, croniter and cronsim."
    )

    @Option(help: ArgumentHelp("The cron test vectors whose expressions and zones make the mix.", valueName: "path"))
    var vectors = "../shared/testdata/cron-vectors.jsonl"

    @Option(help: ArgumentHelp("Fire times computed per expression (fewer when past 2199). (default: 100, 20 with --quick)", valueName: "n"))
    var iterations: Int?

    @Option(help: ArgumentHelp("Repeats; the median is reported. (default: 3, 1 with --quick)", valueName: "n"))
    var repeats: Int?

    @Option(help: ArgumentHelp("Peers to run, comma-separated (systemd, croniter, cronsim), or none.", valueName: "list"))
    var peers = "systemd,croniter,cronsim"

    @OptionGroup var options: BenchOptions

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

    func measure() async throws -> [BenchResult] {
        let loadBefore = MachineDescription.loadAverage()
        let iterations = self.iterations ?? options.pick(100, quick: 20)
        let repeats = self.repeats ?? options.pick(3, quick: 1)
        let mix = try loadMix(iterations: iterations)
        let evaluations = mix.reduce(0) { $0 + $1.iterations }

        // Ours: per repeat, the CPU seconds of each entry, so any peer's subset can be priced alike.
        var seconds: [[Double]] = []
        for _ in 0..<repeats {
            seconds.append(mix.map(Self.measure))
        }
        func rate(_ indices: [Int]) -> (median: Double, raw: [Double]) {
            let count = indices.reduce(0) { $0 + mix[$1].iterations }
            let raw = seconds.map { repeatSeconds in Double(count) / indices.reduce(0) { $0 + repeatSeconds[$1] } }
            return (raw.median, raw)
        }
        let ours = rate(Array(mix.indices))
        let method = """
            \(mix.count) distinct expression/zone pairs of the shared cron vectors, each from its vector's start; per \
            pair min(\(iterations), fires before 2200) successive next-fire evaluations (\(evaluations) in all), parsed \
            beforehand; thread CPU time; median of \(repeats) repeats. Peers on the same pairs they can express \
            (systemd: OnCalendar translation, zone from TZ, start-up cancelled by timing --iterations=1 and =N; \
            croniter and cronsim in-process), ours priced on the same subset for each ratio.
            """

        var results: [BenchResult] = []
        let answer = peers == "none" ? nil : try runPeers(mix, repeats: repeats)
        for (name, key, title) in [
            ("systemd", "systemd-analyze calendar", "cron next-fire evaluations/s vs systemd-analyze calendar"),
            ("croniter", "croniter", "cron next-fire evaluations/s vs croniter"),
            ("cronsim", "cronsim", "cron next-fire evaluations/s vs cronsim"),
        ] {
            let isTarget = name == "systemd"
            guard let peer = answer?.peers[key] else {
                guard isTarget else { continue }
                results.append(
                    BenchResult(
                        row: "1", measure: "cron.\(name)", title: title, ours: ours.median, unit: "evaluations/s",
                        target: "≥ 5× systemd", met: nil, method: method, raw: .init(ours: ours.raw),
                        loadAverage: [loadBefore, MachineDescription.loadAverage()],
                        error: "the peer was not run (--peers \(peers))"))
                continue
            }
            let supported = peer.entries.indices.filter { peer.entries[$0].supported }
            let raw = (0..<repeats).map { repeatIndex in
                let count = supported.reduce(0) { $0 + (peer.entries[$1].evaluations ?? 0) }
                let time = supported.reduce(0.0) { $0 + (peer.entries[$1].seconds?[repeatIndex] ?? 0) }
                return Double(count) / time
            }
            let same = rate(supported)
            let ratio = same.median / raw.median
            let disagreeing = supported.filter { peer.entries[$0].agrees == false }
            results.append(
                BenchResult(
                    row: "1", measure: "cron.\(name)", title: title, ours: same.median, peer: raw.median,
                    peerName: peer.version.hasPrefix(name) ? peer.version : "\(key), \(peer.version)", unit: "evaluations/s", ratio: ratio,
                    target: isTarget ? "≥ 5× systemd" : "—", met: isTarget ? ratio >= Self.target : nil,
                    method: method, raw: .init(ours: same.raw, peer: raw),
                    loadAverage: [loadBefore, MachineDescription.loadAverage()],
                    details: [
                        "expressions": Double(supported.count), "expressionsInMix": Double(mix.count),
                        "oursOnWholeMix": ours.median, "firstFiresDisagreeing": Double(disagreeing.count),
                    ]))
        }
        return results
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

    func loadMix(iterations: Int) throws -> [Entry] {
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

    func runPeers(_ mix: [Entry], repeats: Int) throws -> PeerAnswer {
        let entries: [[String: Any]] = mix.map { entry in
            [
                "expr": entry.expression, "tz": entry.zone, "from": entry.start.millisecondsSinceEpoch / 1_000,
                "iterations": entry.iterations, "expected": entry.expected.map { $0.millisecondsSinceEpoch / 1_000 },
            ]
        }
        let folder = try TemporaryFolder("cron")
        defer { folder.remove() }
        let mixPath = folder.path + "/mix.json"
        try JSONSerialization.data(withJSONObject: entries).write(to: URL(fileURLWithPath: mixPath))
        let text = try ChildProcess.output(
            [
                options.python, options.peersDir + "/cron_peers.py", "--mix", mixPath, "--repeats", String(repeats),
                "--peers", peers,
            ], in: folder.path)
        return try JSONDecoder().decode(PeerAnswer.self, from: Data(text.utf8))
    }
}
