import ArgumentParser
import Foundation
import Synchronization

/// Row 7: real process runs of `/bin/true` per second, beside `xargs -P2 -n1 true` over the same count.
///
/// The daemon has one job running `/bin/true` with two slots (global and job `max_concurrency = 2`, as
/// `-P2`). One connection sends COUNT `jobs.run` requests back to back (each answered once its QUEUED event is
/// committed, as documented), another follows the SUCCESS events; the rate is COUNT over the time from the
/// first request to the COUNT-th SUCCESS. Manual runs rather than interval jobs: the queue is filled from the
/// start, so the two slots are never idle waiting for a schedule (a request costs far less than a run), and no
/// SKIPPED slot or timer adds work the peer does not do. Each run is the daemon's whole path: the run and its
/// events persisted (RUNNING committed before the spawn), the process in its own session with its output
/// piped and logged, reaped, its end persisted and streamed.
struct ProcessRuns: Measure {
    static let configuration = CommandConfiguration(
        commandName: "process-runs", abstract: "Row 7: runs of /bin/true per second beside xargs -P2 -n1 true.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Runs per repeat, ours and xargs's. (default: 500; 200 with --quick)")
    var count: Int?

    @Option(help: "Repeats; the median is reported. (default: 3; 1 with --quick)")
    var repeats: Int?

    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"
        max_concurrency = 2
        [[job]]
        id = "true"
        command = ["/bin/true"]
        max_concurrency = 2
        """

    func measure() async throws -> [BenchResult] {
        let count = self.count ?? options.pick(500, quick: 200)
        let repeats = self.repeats ?? options.pick(3, quick: 1)
        signal(SIGPIPE, SIG_IGN)
        let loadBefore = MachineDescription.loadAverage()
        let daemon = try DaemonUnderTest(binary: options.daemon, configuration: Self.config, label: "runs")
        var rates: [Double] = []
        var cpuPerRun: [Double] = []
        do {
            try await daemon.start()
            _ = try Self.measure(socketPath: daemon.socketPath, count: 200)  // warm-up
            for _ in 0..<repeats {
                let cpu = ProcessSample.cpuSeconds(pid: daemon.pid)
                rates.append(try Self.measure(socketPath: daemon.socketPath, count: count))
                cpuPerRun.append((ProcessSample.cpuSeconds(pid: daemon.pid) - cpu) / Double(count) * 1_000)
            }
            await daemon.cleanUp()
        } catch {
            await daemon.cleanUp()
            throw error
        }
        let peer = try xargs(count: count, repeats: repeats)
        let ours = rates.median
        let peerMedian = peer.median
        let ratio = BenchResult.ratio(ours: ours, peer: peerMedian, higherIsBetter: true)
        return [
            BenchResult(
                row: "7", measure: "process.runs", title: "real process runs/s of `/bin/true`", ours: ours,
                peer: peerMedian, peerName: "xargs -P2 -n1 true", unit: "runs/s", ratio: ratio,
                target: "≥ 70% of xargs", met: (ratio ?? 0) >= 0.7,
                method: """
                    The release orkestrond with one job running /bin/true, max_concurrency 2 (daemon and job); one \
                    connection sends \(count) jobs.run requests back to back (a writer thread; a reader takes the \
                    answers), another subscribes to the job's SUCCESS and FAILED events; runs/s = \(count) / time \
                    from the first request to the \(count)th SUCCESS (any FAILED fails the bench). One warm-up of \
                    200 runs on the same daemon, then \(repeats) repeats, median. Peer: `xargs -P2 -n1 true` with \
                    \(count) numbers printf'd into its stdin, \(count) / its wall time, one warm-up, median of \
                    \(repeats). daemonCpuMsPerRun: the daemon's own CPU time (user + system) per run, children \
                    excluded.
                    """,
                raw: .init(ours: rates, peer: peer), loadAverage: [loadBefore, MachineDescription.loadAverage()],
                details: ["daemonCpuMsPerRun": cpuPerRun.median])
        ]
    }

    /// One repeat: runs per second.
    static func measure(socketPath: String, count: Int) throws -> Double {
        let events = try LineSocket(path: socketPath)
        defer { events.close() }
        _ = try events.call(
            #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"jobs":["true"],"statuses":["SUCCESS","FAILED"]}}"#)
        let control = try LineSocket(path: socketPath)
        defer { control.close() }
        nonisolated(unsafe) let requests = control  // written by one thread, read by another: a full-duplex socket
        let request = Array(#"{"jsonrpc":"2.0","id":2,"method":"jobs.run","params":{"id":"true"}}"#.utf8 + [10])
        let failure = Mutex<String?>(nil)
        let answered = DispatchSemaphore(value: 0)
        let start = BenchClock.monotonicNanoseconds()
        Thread {
            do {
                try request.withUnsafeBytes { line in
                    for _ in 0..<count { try requests.send(line) }
                }
            } catch {
                failure.withLock { $0 = "sending jobs.run: \(error)" }
            }
        }.start()
        Thread {
            do {
                for _ in 0..<count {
                    _ = try requests.readLine()
                    if requests.lastLine.contains(#""error""#) { throw BenchError(requests.lastLine) }
                }
            } catch {
                failure.withLock { $0 = "jobs.run answers: \(error)" }
            }
            answered.signal()
        }.start()
        var succeeded = 0
        while succeeded < count {
            _ = try events.readLine()
            let line = events.lastLine
            if line.contains("SUCCESS") {
                succeeded += 1
            } else if line.contains("FAILED") {
                throw BenchError("a run of /bin/true failed: \(line)")
            }
            if let message = failure.withLock({ $0 }) { throw BenchError(message) }
        }
        let elapsed = BenchClock.monotonicNanoseconds() - start
        answered.wait()
        if let message = failure.withLock({ $0 }) { throw BenchError(message) }
        return Double(count) / (Double(elapsed) / 1e9)
    }

    func xargs(count: Int, repeats: Int) throws -> [Double] {
        struct Output: Decodable { var perSecond: [Double] }
        let folder = try TemporaryFolder("xargs-driver")
        defer { folder.remove() }
        let text = try ChildProcess.output(
            [
                options.python, options.peersDir + "/xargs_true.py", "--count", "\(count)", "--repeats",
                "\(repeats)",
            ], in: folder.path)
        return try JSONDecoder().decode(Output.self, from: Data(text.utf8)).perSecond
    }
}
