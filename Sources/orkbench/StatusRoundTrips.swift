import ArgumentParser
import Foundation
import Synchronization

/// Row 4: `daemon.status` round trips per second, unpipelined (send, wait for the answer, repeat), on one
/// connection and on 16, beside `redis-benchmark -t ping` against redis-server on a Unix socket.
///
/// The client is `LineSocket`: blocking read/write on the socket from Swift with Glibc, a constant request
/// line and no allocation per request, one thread per connection. Like redis-benchmark's C event loop, it runs
/// on the same two cores as the server, so its CPU counts against both sides alike.
struct StatusRoundTrips: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status-rtt",
        abstract: "daemon.status round trips per second and latency, 1 and 16 connections, beside Redis PING.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Requests per repeat on one connection.")
    var requests: Int = 20_000

    @Option(help: "Requests per repeat over all 16 connections.")
    var requests16: Int = 40_000

    static let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#.utf8 + [UInt8(ascii: "\n")])

    /// A daemon with one manual job: `daemon.status` reads counts, so what the jobs do does not matter.
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"
        [[job]]
        id = "idle"
        """

    func run() async throws {
        let loadBefore = Statistics.loadAverage()
        let daemon = try DaemonUnderTest.start(binDir: options.binDir, config: Self.config, label: "status")
        var one: [Sample] = []
        var sixteen: [Sample] = []
        do {
            _ = try Self.measure(socketPath: daemon.socketPath, connections: 1, requests: 2_000)  // warm-up
            for _ in 0..<options.repeats {
                var cpu = ProcessCPU.seconds(pid: daemon.process.pid)
                var sample = try Self.measure(socketPath: daemon.socketPath, connections: 1, requests: requests)
                sample.cpuPerRequest = (ProcessCPU.seconds(pid: daemon.process.pid) - cpu) / Double(requests) * 1e6
                one.append(sample)
                cpu = ProcessCPU.seconds(pid: daemon.process.pid)
                sample = try Self.measure(socketPath: daemon.socketPath, connections: 16, requests: requests16)
                sample.cpuPerRequest = (ProcessCPU.seconds(pid: daemon.process.pid) - cpu) / Double(requests16) * 1e6
                sixteen.append(sample)
            }
        } catch {
            daemon.stop()
            throw error
        }
        daemon.stop()
        let peer1 = try redis(clients: 1, requests: requests)
        let peer16 = try redis(clients: 16, requests: requests16)
        let loadAfter = Statistics.loadAverage()
        let method = """
            orkbench's blocking Glibc client sends {"jsonrpc":"2.0","id":1,"method":"daemon.status"} and reads the \
            answer line before the next request (no pipelining), \(requests) requests per repeat on one connection \
            and \(requests16) over 16 connections (one thread each), after 2,000 warm-up requests; the daemon is \
            the release orkestrond with one manual job, logging at info to a file. Peer: redis-server \
            (--port 0 --unixsocket, --save '') and redis-benchmark -s SOCKET -t ping -c N -n (same count) --csv; \
            PING_INLINE is the peer: like ours, a newline-terminated text request the server must scan for its \
            end (PING_MBULK, RESP's length-prefixed form, is in the details). Medians of \(options.repeats) repeats.
            """
        let results = [
            result("status.rtt.c1", ours: one, peer: peer1, target: 0.8, method: method, load: [loadBefore, loadAfter]),
            result("status.rtt.c16", ours: sixteen, peer: peer16, target: 0.5, method: method, load: [loadBefore, loadAfter]),
        ]
        try BenchResult.report(results, to: options.json)
    }

    /// One repeat: requests per second and the latency percentiles of its requests (microseconds).
    struct Sample {
        var perSecond: Double
        var p50: Double
        var p99: Double
        /// The daemon's CPU time per request (µs), from /proc.
        var cpuPerRequest: Double = 0
    }

    static func measure(socketPath: String, connections: Int, requests: Int) throws -> Sample {
        let sockets = try (0..<connections).map { _ in try LineSocket(path: socketPath) }
        defer { for socket in sockets { socket.close() } }
        let perConnection = requests / connections
        let latencies = Mutex<[[UInt64]]>([])
        let failure = Mutex<String?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<connections {
            nonisolated(unsafe) let socket = sockets[index]  // each socket is used by its one thread only
            done.enter()
            let thread = Thread {
                var own = [UInt64](repeating: 0, count: perConnection)
                ready.signal()
                go.wait()
                do {
                    try request.withUnsafeBytes { line in
                        for index in 0..<perConnection {
                            let start = Statistics.nowNanos()
                            try socket.send(line)
                            _ = try socket.readLine()
                            own[index] = Statistics.nowNanos() - start
                        }
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
                latencies.withLock { $0.append(own) }
                done.leave()
            }
            thread.start()
        }
        for _ in 0..<connections { ready.wait() }
        let start = Statistics.nowNanos()
        for _ in 0..<connections { go.signal() }
        done.wait()
        let elapsed = Statistics.nowNanos() - start
        if let message = failure.withLock({ $0 }) { throw BenchError("status round trips: \(message)") }
        let all = latencies.withLock { $0.flatMap { $0 } }.map { Double($0) / 1_000 }
        return Sample(
            perSecond: Double(perConnection * connections) / (Double(elapsed) / 1e9),
            p50: Statistics.percentile(all, 0.5), p99: Statistics.percentile(all, 0.99))
    }

    struct RedisResult: Decodable {
        struct Variant: Decodable {
            var rps: [Double]
            var p50: [Double]
            var p99: [Double]
        }
        var version: String
        var PING_INLINE: Variant
        var PING_MBULK: Variant
    }

    func redis(clients: Int, requests: Int) throws -> RedisResult {
        let folder = try TemporaryFolder("redis-driver")
        defer { folder.remove() }
        let text = try ChildProcess.output(
            [
                "/usr/bin/env", "python3", options.peersDir + "/redis_ping.py", "--clients", "\(clients)",
                "--requests", "\(requests)", "--repeats", "\(options.repeats)",
            ], in: folder.path)
        return try JSONDecoder().decode(RedisResult.self, from: Data(text.utf8))
    }

    func result(
        _ measure: String, ours: [Sample], peer: RedisResult, target: Double, method: String, load: [Double]
    ) -> BenchResult {
        let oursMedian = Statistics.median(ours.map(\.perSecond))
        let peerMedian = Statistics.median(peer.PING_INLINE.rps)
        let ratio = oursMedian / peerMedian
        return BenchResult(
            measure: measure, ours: oursMedian, peer: peerMedian, unit: "requests/s", ratio: ratio,
            target: "≥ \(Int(target * 100))% of Redis PING_INLINE", met: ratio >= target, method: method,
            raw: .init(ours: ours.map(\.perSecond), peer: peer.PING_INLINE.rps), loadAverage: load,
            details: [
                "oursP50Us": Statistics.median(ours.map(\.p50)), "oursP99Us": Statistics.median(ours.map(\.p99)),
                "daemonCpuUsPerRequest": Statistics.median(ours.map(\.cpuPerRequest)),
                "peerP50Us": Statistics.median(peer.PING_INLINE.p50) * 1_000,
                "peerP99Us": Statistics.median(peer.PING_INLINE.p99) * 1_000,
                "peerMbulkPerSecond": Statistics.median(peer.PING_MBULK.rps),
                "peerMbulkP50Us": Statistics.median(peer.PING_MBULK.p50) * 1_000,
                "peerMbulkP99Us": Statistics.median(peer.PING_MBULK.p99) * 1_000,
            ])
    }
}
