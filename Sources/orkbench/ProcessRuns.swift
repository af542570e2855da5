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
struct ProcessRuns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process-runs", abstract: "Runs of /bin/true per second beside xargs -P2 -n1 true.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Runs per repeat.")
    var count: Int = 2_000

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

    func run() async throws {
        let loadBefore = Statistics.loadAverage()
        let daemon = try DaemonUnderTest.start(binDir: options.binDir, config: Self.config, label: "runs")
        var rates: [Double] = []
        var cpuPerRun: [Double] = []
        do {
            _ = try Self.measure(socketPath: daemon.socketPath, count: 200)  // warm-up
            for _ in 0..<options.repeats {
                let cpu = ProcessCPU.seconds(pid: daemon.process.pid)
                rates.append(try Self.measure(socketPath: daemon.socketPath, count: count))
                cpuPerRun.append((ProcessCPU.seconds(pid: daemon.process.pid) - cpu) / Double(count) * 1_000)
            }
        } catch {
            daemon.stop()
            throw error
        }
        daemon.stop()
        let peer = try xargs()
        let ours = Statistics.median(rates)
        let peerMedian = Statistics.median(peer)
        let ratio = ours / peerMedian
        let result = BenchResult(
            measure: "process.runs", ours: ours, peer: peerMedian, unit: "runs/s", ratio: ratio,
            target: "≥ 70% of xargs -P2", met: ratio >= 0.7,
            method: """
                The release orkestrond with one job running /bin/true, max_concurrency 2 (daemon and job); one \
                connection sends \(count) jobs.run requests back to back (a writer thread; a reader takes the \
                answers), another subscribes to the job's SUCCESS and FAILED events; runs/s = \(count) / time from \
                the first request to the \(count)th SUCCESS (any FAILED fails the benchmark). One warm-up of 200 \
                runs on the same daemon, then \(options.repeats) repeats, median. Peer: `xargs -P2 -n1 true` with \
                \(count) numbers printf'd into its stdin, \(count) / its wall time, one warm-up, median of \
                \(options.repeats). daemonCpuMsPerRun: the daemon's own CPU time (user + system) per run, children excluded.
                """,
            raw: .init(ours: rates, peer: peer), loadAverage: [loadBefore, Statistics.loadAverage()],
            details: ["daemonCpuMsPerRun": Statistics.median(cpuPerRun)])
        try BenchResult.report([result], to: options.json)
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
        let start = Statistics.nowNanos()
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
        let elapsed = Statistics.nowNanos() - start
        answered.wait()
        if let message = failure.withLock({ $0 }) { throw BenchError(message) }
        return Double(count) / (Double(elapsed) / 1e9)
    }

    func xargs() throws -> [Double] {
        struct Output: Decodable { var perSecond: [Double] }
        let folder = try TemporaryFolder("xargs-driver")
        defer { folder.remove() }
        let text = try ChildProcess.output(
            [
                "/usr/bin/env", "python3", options.peersDir + "/xargs_true.py", "--count", "\(count)", "--repeats",
                "\(options.repeats)",
            ], in: folder.path)
        return try JSONDecoder().decode(Output.self, from: Data(text.utf8)).perSecond
    }
}
