import ArgumentParser
import Foundation
import Synchronization

/// Row 4: `daemon.status` round trips per second, unpipelined (send, wait for the answer, repeat), on one
/// connection and on 16, beside `redis-benchmark -t ping` against redis-server on a Unix socket.
///
/// The client is `LineSocket`: blocking read/write on the socket from Swift with Glibc, a constant request
/// line and no allocation per request, one thread per connection. Like redis-benchmark's C event loop, it runs
/// on the same two cores as the server, so its CPU counts against both sides alike.
struct StatusRoundTrips: Measure {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "daemon.status round trips per second and latency, 1 and 16 connections, beside Redis PING.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Requests per repeat on one connection. (default: 10000; 2000 with --quick)")
    var requests: Int?

    @Option(help: "Requests per repeat over all 16 connections. (default: 20000; 4000 with --quick)")
    var requests16: Int?

    @Option(help: "Repeats, ours and Redis's; the median is reported. (default: 3; 1 with --quick)")
    var repeats: Int?

    static let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#.utf8 + [UInt8(ascii: "\n")])

    /// A daemon with one manual job: `daemon.status` reads counts, so what the jobs do does not matter.
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"
        [[job]]
        id = "idle"
        """

    func measure() async throws -> [BenchResult] {
        let requests = self.requests ?? options.pick(10_000, quick: 2_000)
        let requests16 = self.requests16 ?? options.pick(20_000, quick: 4_000)
        let repeats = self.repeats ?? options.pick(3, quick: 1)
        // A daemon that closes a connection must fail a write with EPIPE, not end the bench.
        signal(SIGPIPE, SIG_IGN)
        let loadBefore = MachineDescription.loadAverage()
        let daemon = try DaemonUnderTest(binary: options.daemon, configuration: Self.config, label: "status")
        var one: [Sample] = []
        var sixteen: [Sample] = []
        do {
            try await daemon.start()
            _ = try Self.measure(socketPath: daemon.socketPath, connections: 1, requests: 2_000)  // warm-up
            for _ in 0..<repeats {
                var cpu = ProcessSample.cpuSeconds(pid: daemon.pid)
                var sample = try Self.measure(socketPath: daemon.socketPath, connections: 1, requests: requests)
                sample.cpuPerRequest = (ProcessSample.cpuSeconds(pid: daemon.pid) - cpu) / Double(requests) * 1e6
                one.append(sample)
                cpu = ProcessSample.cpuSeconds(pid: daemon.pid)
                sample = try Self.measure(socketPath: daemon.socketPath, connections: 16, requests: requests16)
                sample.cpuPerRequest = (ProcessSample.cpuSeconds(pid: daemon.pid) - cpu) / Double(requests16) * 1e6
                sixteen.append(sample)
            }
            await daemon.cleanUp()
        } catch {
            await daemon.cleanUp()
            throw error
        }
        let peer1 = try redis(clients: 1, requests: requests, repeats: repeats)
        let peer16 = try redis(clients: 16, requests: requests16, repeats: repeats)
        let loadAfter = MachineDescription.loadAverage()
        let method = """
            orkbench's blocking Glibc client sends {"jsonrpc":"2.0","id":1,"method":"daemon.status"} and reads the \
            answer line before the next request (no pipelining), \(requests) requests per repeat on one connection \
            and \(requests16) over 16 connections (one thread each), after 2,000 warm-up requests; the daemon is \
            the release orkestrond with one manual job, logging at info to a file. Peer: redis-server \
            (--port 0 --unixsocket, --save '') and redis-benchmark -s SOCKET -t ping -c N -n (same count) --csv; \
            PING_INLINE is the peer: like ours, a newline-terminated text request the server must scan for its \
            end (PING_MBULK, RESP's length-prefixed form, is in the details). Medians of \(repeats) repeats.
            """
        return [
            result("status.rtt.c1", connections: 1, ours: one, peer: peer1, target: 0.8, method: method, load: [loadBefore, loadAfter]),
            result("status.rtt.c16", connections: 16, ours: sixteen, peer: peer16, target: 0.5, method: method, load: [loadBefore, loadAfter]),
        ]
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
                            let start = BenchClock.monotonicNanoseconds()
                            try socket.send(line)
                            _ = try socket.readLine()
                            own[index] = BenchClock.monotonicNanoseconds() - start
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
        let start = BenchClock.monotonicNanoseconds()
        for _ in 0..<connections { go.signal() }
        done.wait()
        let elapsed = BenchClock.monotonicNanoseconds() - start
        if let message = failure.withLock({ $0 }) { throw BenchError("status round trips: \(message)") }
        let all = Percentiles(latencies.withLock { $0.flatMap { $0 } }.map { Double($0) / 1_000 })
        return Sample(perSecond: Double(perConnection * connections) / (Double(elapsed) / 1e9), p50: all.p50, p99: all.p99)
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

    func redis(clients: Int, requests: Int, repeats: Int) throws -> RedisResult {
        let folder = try TemporaryFolder("redis-driver")
        defer { folder.remove() }
        let text = try ChildProcess.output(
            [
                options.python, options.peersDir + "/redis_ping.py", "--clients", "\(clients)",
                "--requests", "\(requests)", "--repeats", "\(repeats)",
            ], in: folder.path)
        return try JSONDecoder().decode(RedisResult.self, from: Data(text.utf8))
    }

    func result(
        _ measure: String, connections: Int, ours: [Sample], peer: RedisResult, target: Double, method: String,
        load: [Double]
    ) -> BenchResult {
        let oursMedian = ours.map(\.perSecond).median
        let peerMedian = peer.PING_INLINE.rps.median
        let ratio = BenchResult.ratio(ours: oursMedian, peer: peerMedian, higherIsBetter: true)
        return BenchResult(
            row: "4", measure: measure,
            title: "`daemon.status` round trips/s, unpipelined, \(connections) connection\(connections == 1 ? "" : "s")",
            ours: oursMedian, peer: peerMedian, peerName: "Redis \(Self.shortVersion(peer.version)) PING", unit: "requests/s", ratio: ratio,
            target: "≥ \(Int(target * 100))% of Redis", met: (ratio ?? 0) >= target, method: method,
            raw: .init(ours: ours.map(\.perSecond), peer: peer.PING_INLINE.rps), loadAverage: load,
            details: [
                "oursP50Us": ours.map(\.p50).median, "oursP99Us": ours.map(\.p99).median,
                "daemonCpuUsPerRequest": ours.map(\.cpuPerRequest).median,
                "peerP50Us": peer.PING_INLINE.p50.median * 1_000, "peerP99Us": peer.PING_INLINE.p99.median * 1_000,
                "peerMbulkPerSecond": peer.PING_MBULK.rps.median,
                "peerMbulkP50Us": peer.PING_MBULK.p50.median * 1_000,
                "peerMbulkP99Us": peer.PING_MBULK.p99.median * 1_000,
            ])
    }

    /// `7.0.15` out of `redis-server --version`'s `Redis server v=7.0.15 sha=… malloc=…`.
    static func shortVersion(_ text: String) -> String {
        text.split(separator: " ").first { $0.hasPrefix("v=") }.map { String($0.dropFirst(2)) } ?? text
    }
}
