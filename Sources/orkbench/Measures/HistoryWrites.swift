import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronStore

/// Row 12: run history persisted per second, sustained, through the daemon's own store code, beside raw
/// SQLite inserts of the same rows (Python's sqlite3, the schema copied from the daemon's database).
///
/// Ours is `Store.append(events:jobStates:)`, which is exactly what the daemon's `StoreWriter` calls with each
/// drained batch: one transaction, cached prepared statements, every event applied to the `run` and `attempt`
/// rows as it arrives (insert, then updates), all the schema's indexes maintained. Each run is the four events
/// of a scheduled run of a real process (SCHEDULED, QUEUED, RUNNING, SUCCESS), so it leaves one run row, one
/// attempt row and four event rows, which is what the peer inserts directly in their final form.
struct HistoryWrites: Measure {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Row 12: runs persisted per second beside raw SQLite inserts.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Runs written per repeat. (default: 10000; 2000 with --quick)")
    var runs: Int?

    @Option(help: "Repeats, ours and the peer's in turn; the median is reported. (default: 3; 1 with --quick)")
    var repeats: Int?

    @Option(help: "Runs per transaction (the writer's batch), for us and the peer.")
    var batchRuns: Int = 50

    @Option(help: "Jobs the runs belong to (round robin), spreading the per-job index entries.")
    var jobs: Int = 100

    func measure() async throws -> [BenchResult] {
        let runs = self.runs ?? options.pick(10_000, quick: 2_000)
        let repeats = self.repeats ?? options.pick(3, quick: 1)
        let loadBefore = MachineDescription.loadAverage()
        let folder = try TemporaryFolder("history")
        defer { folder.remove() }
        let batches = Self.events(runs: runs, jobs: jobs, batchRuns: batchRuns)
        struct Output: Decodable {
            var perSecond: [Double]
            var sqlite: String
        }
        // Ours and the peer take turns, a repeat each, so that a change of the machine's load (it is shared)
        // falls on both alike. The first round is the warm-up of both.
        var ours: [Double] = []
        var peer: [Double] = []
        var sqliteVersion = ""
        for repeatIndex in 0..<(repeats + 1) {
            let path = folder.path + "/ours-\(repeatIndex).db"
            let store = try Store(path: path)
            let start = BenchClock.monotonicNanoseconds()
            for batch in batches {
                try store.append(events: batch, jobStates: [])
            }
            let elapsed = BenchClock.monotonicNanoseconds() - start
            try store.close()
            // The peer's schema: the DDL of the database the daemon's store made in the first round (`.schema`).
            let text = try ChildProcess.output(
                [
                    options.python, options.peersDir + "/sqlite_history.py", "--schema-from",
                    folder.path + "/ours-0.db", "--folder", folder.path, "--runs", "\(runs)", "--batch-runs",
                    "\(batchRuns)", "--jobs", "\(jobs)", "--repeats", "1", "--warmup", "0",
                ], in: folder.path)
            let output = try JSONDecoder().decode(Output.self, from: Data(text.utf8))
            sqliteVersion = output.sqlite
            if repeatIndex > 0 {
                ours.append(Double(runs) / (Double(elapsed) / 1e9))
                peer += output.perSecond
                Self.removeDatabase(path)
            }
        }
        let oursMedian = ours.median
        let peerMedian = peer.median
        let ratio = BenchResult.ratio(ours: oursMedian, peer: peerMedian, higherIsBetter: true)
        let result = BenchResult(
            row: "12", measure: "history.runs", title: "run history persisted/s, real schema and indexes",
            ours: oursMedian, peer: peerMedian, peerName: "raw SQLite \(sqliteVersion) (Python sqlite3)",
            unit: "runs/s", ratio: ratio, target: "≥ 50% of raw SQLite", met: (ratio ?? 0) >= 0.5,
            method: """
                \(runs) runs (4 events each: SCHEDULED, QUEUED, RUNNING, SUCCESS of \(jobs) jobs in turn) written \
                in transactions of \(batchRuns) runs to a new WAL database in /tmp; ours through \
                OrkestronStore's Store.append (what the daemon's StoreWriter calls per batch: every event \
                inserted and applied to its run and attempt rows); the peer, Python's sqlite3 (SQLite \
                \(sqliteVersion), the same library), inserts the same final rows (1 run, 1 attempt, 4 events per \
                run) with executemany into tables and indexes created from the daemon's database's own DDL, with \
                the daemon's PRAGMAs (journal_mode=WAL, synchronous=NORMAL, cache_size, wal_autocheckpoint). \
                Events are built before the clock starts on both sides. Ours and the peer alternate, a \
                repeat each; one warm-up round, then the median of \(repeats).
                """,
            raw: .init(ours: ours, peer: peer), loadAverage: [loadBefore, MachineDescription.loadAverage()],
            details: ["eventsPerSecondOurs": oursMedian * 4, "eventsPerSecondPeer": peerMedian * 4])
        return [result]
    }

    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// The events of `runs` scheduled runs that each succeeded, in batches of `batchRuns` runs. The peer
    /// (sqlite_history.py) builds the same values with the same formulas.
    static func events(runs: Int, jobs: Int, batchRuns: Int) -> [[Event]] {
        let base: Int64 = 1_800_000_000_000
        var batches: [[Event]] = []
        var batch: [Event] = []
        var seq: UInt64 = 1
        for index in 0..<runs {
            let job = "job_\(String(format: "%03d", index % jobs))"
            let runId = "\(job)-\(String(format: "%06d", index / jobs + 1))"
            let t0 = base + Int64(index) * 10
            let slot = Instant(millisecondsSinceEpoch: t0)
            func event(_ status: EventStatus, _ offset: Int64) -> Event {
                defer { seq += 1 }
                return Event(
                    seq: seq, time: Instant(millisecondsSinceEpoch: t0 + offset), jobId: job, runId: runId,
                    status: status)
            }
            var scheduled = event(.scheduled, 0)
            scheduled.trigger = .schedule
            scheduled.slot = slot
            var queued = event(.queued, 0)
            queued.trigger = .schedule
            queued.slot = slot
            queued.attempt = 1
            var running = event(.running, 1)
            running.slot = slot
            running.attempt = 1
            running.latenessMs = 1
            running.queueWaitMs = 1
            var success = event(.success, 6)
            success.attempt = 1
            success.durationMs = 5
            success.exitCode = 0
            batch += [scheduled, queued, running, success]
            if batch.count == batchRuns * 4 {
                batches.append(batch)
                batch = []
            }
        }
        if !batch.isEmpty { batches.append(batch) }
        return batches
    }
}
