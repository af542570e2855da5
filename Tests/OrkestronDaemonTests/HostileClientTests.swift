import Foundation
import OrkestronClient
import OrkestronProtocol
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that try to make the daemon hold on to memory or connections: a subscriber that never reads its
/// events, and a client that opens a thousand connections. Each test measures the daemon from the outside
/// (`/proc/PID`) and checks that everyone else is still served on time.
///
/// Not serialized: each test has its own daemon, memory is measured per process, and the timing bounds are
/// generous enough for a loaded 2-core machine (the whole test target runs its suites in parallel anyway).
@Suite("slow and hostile clients: a subscriber that never reads, a thousand connections")
struct HostileClientTests {
    /// Jobs that are only paused and resumed: each flip of the `bulk` type publishes one event per job, far
    /// faster than runs would, so a few seconds overflow a subscriber's 4,096-message queue many times over.
    static let bulkJobs = 200

    static let config: String = {
        var text = """
            [daemon]
            seed = 1
            timezone = "UTC"

            [[job]]
            id = "ticker"
            type = "metrics"
            interval = "250ms"
            duration = "5ms"

            """
        for index in 0..<bulkJobs {
            text += "\n[[job]]\nid = \"bulk_\(index)\"\ntype = \"bulk\"\n"
        }
        return text
    }()

    /// Pauses then resumes every `bulk` job `cycles` times: 2 × `bulkJobs` events a cycle.
    static func flip(_ client: ControlClient, cycles: Int) async throws {
        for _ in 0..<cycles {
            _ = try await client.call("jobs.pause", .object(["type": "bulk"]))
            _ = try await client.call("jobs.resume", .object(["type": "bulk"]))
        }
    }

    /// The sequence number of the latest stored event of `job` with `status`, read with a replay.
    static func lastStoredSeq(of daemon: DaemonProcess, job: String, status: String) async throws -> Int64 {
        let socket = try daemon.rawSocket()
        let answer = try await socket.request(
            #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"jobs":["\#(job)"],"statuses":["\#(status)"],"replay":1}}"#)
        guard answer["result"]?["subscribed"] == .bool(true) else { throw HarnessError("events.subscribe: \(answer.compact)") }
        let replayed = try await socket.readJSON()
        guard let seq = replayed["params"]?.seq else { throw HarnessError("no replayed \(status) event of \(job): \(replayed.compact)") }
        return seq
    }

    static func mebibytes(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }

    /// Subscribers whose sockets are never read: the daemon's writes to them wait for the socket (NIO's
    /// writability), each queue stops at 4,096 events and the rest is counted as dropped, so the daemon's
    /// memory does not grow with the events it cannot deliver. Meanwhile another client's calls are answered
    /// promptly and the 250 ms ticker keeps its slots; when the subscriber reads again, it is told exactly how
    /// many events it missed, even though no event follows the burst.
    @Test("a subscriber that never reads costs bounded memory, slows no one, and is told how many events it missed")
    func neverReadingSubscriber() async throws {
        // The stuck phase is the longer one: a bounded backlog stops growing, an unbounded one grows with it.
        // Three stuck subscribers triple what an unbounded backlog would hold, so memory tells the two apart
        // with few events (each costs the shared CPU, and other suites run meanwhile).
        let (warmUpCycles, cycles, stuckCount) = (15, 45, 3)
        // Warning level: at info the daemon would spend the test writing 24,000 log lines.
        try await DaemonProcess.with(config: Self.config, arguments: ["--log-level", "warning"]) { daemon in
            let pid = daemon.pid
            try await daemon.withClient { controller in
                // The same load first with no stuck reader: the store's caches, the metrics and the allocator grow
                // to their working size whoever subscribes, and that growth is the yardstick.
                let unloaded = try #require(ProcessTable.anonymousResidentKiB(of: pid))
                try await Self.flip(controller, cycles: warmUpCycles)
                let baseline = try #require(ProcessTable.anonymousResidentKiB(of: pid))
                let ordinaryGrowth = baseline - unloaded

                var stuckOnes: [RawSocket] = []
                for _ in 0..<stuckCount {
                    let socket = try daemon.rawSocket()
                    let subscribed = try await socket.request(#"{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}"#)
                    #expect(subscribed["result"]?["subscribed"] == .bool(true), "\(subscribed.compact)")
                    stuckOnes.append(socket)
                }
                // The first reads again at the end; the others just go away.
                let stuck = stuckOnes[0]

                let started = Date()
                let clock = ContinuousClock()
                let pushStart = clock.now
                let slowest = try await withThrowingTaskGroup(of: Duration.self) { group in
                    // A bystander on its own connection, asking for status every 100 ms during the push.
                    group.addTask {
                        try await daemon.withClient { bystander in
                            var slowest = Duration.zero
                            while !Task.isCancelled {
                                let asked = clock.now
                                do {
                                    _ = try await bystander.call("daemon.status")
                                } catch where Task.isCancelled {
                                    // Cancelling the probe also ends its connection's reader, failing the call in flight.
                                    break
                                }
                                slowest = max(slowest, clock.now - asked)
                                try? await Task.sleep(for: .milliseconds(100))
                            }
                            return slowest
                        }
                    }
                    try await Self.flip(controller, cycles: cycles)
                    group.cancelAll()
                    return try await group.next() ?? .zero
                }
                let pushed = clock.now - pushStart
                let after = try #require(ProcessTable.anonymousResidentKiB(of: pid))
                let growth = after - baseline
                say(
                    "never-reading subscriber: \(cycles * 2 * Self.bulkJobs) events in \(seconds(pushed)); anonymous RSS "
                        + "\(Self.mebibytes(unloaded)) → \(Self.mebibytes(baseline)) with no subscriber (+\(Self.mebibytes(ordinaryGrowth))) "
                        + "→ \(Self.mebibytes(after)) with \(stuckCount) that never read (+\(Self.mebibytes(growth))); "
                        + "slowest daemon.status meanwhile \(seconds(slowest))")
                // What stays for each stuck subscriber is its 4,096-event queue (≈ 1.4 MiB measured). Queued without a
                // bound, each one's ≈ 14,000 undelivered events would add ≈ 4.5 MiB more, in the queue or in NIO's
                // write buffer: ≈ 13 MiB over the three.
                #expect(
                    growth < ordinaryGrowth + stuckCount * 2 * 1024 + 2 * 1024,
                    "anonymous RSS grew by \(Self.mebibytes(growth)) with \(stuckCount) subscribers that do not read, by \(Self.mebibytes(ordinaryGrowth)) without")
                #expect(slowest < .seconds(3), "daemon.status took \(seconds(slowest)) while a subscriber did not read")

                // The ticker kept its schedule: about one run every 250 ms during the push.
                let since = ISO8601DateFormatter().string(from: started.addingTimeInterval(-1))
                let tickerRuns = try #require(
                    try await controller.call("runs.list", .object(["job": "ticker", "since": .string(since), "limit": 1000])).arrayValue)
                let expected = Int(pushed / .milliseconds(250))
                #expect(
                    tickerRuns.count * 2 >= expected,
                    "the 250 ms ticker ran \(tickerRuns.count) times in \(seconds(pushed)) (≈ \(expected) slots)")
                let lateness = try await controller.call("metrics.get", .object(["job": "ticker"]))["jobs"]?["ticker"]?["latenessMs"]
                let p99 = lateness?["p99"]?.intValue ?? .max
                say("never-reading subscriber: ticker ran \(tickerRuns.count) times (≈ \(expected) slots), start lateness p99 \(p99) ms")
                #expect(p99 < 2_000, "the ticker's start lateness p99 is \(p99) ms: \(lateness?.compact ?? "none")")

                // The subscriber reads again: first what its queue held, then the notice of what it missed (even
                // with no event after the burst), then, after one more event, live events again.
                var received: [Int64] = []
                var dropped: [Int64] = []
                var marker: Int64?
                let deadline = clock.now + .seconds(30)
                while marker == nil || received.last != marker {
                    guard clock.now < deadline else {
                        throw HarnessError("the stuck subscriber's backlog did not end with the final PAUSED of ticker: \(received.count) events, drops \(dropped)")
                    }
                    guard let line = try await stuck.readLine(timeout: .seconds(20)) else {
                        throw HarnessError("the daemon closed the stuck subscriber's connection after \(received.count) events")
                    }
                    // Thousands of lines are waiting: parse them without keeping the other suites off the thread.
                    await Task.yield()
                    let message = try JSONValue.parse(Data(line))
                    switch message["method"]?.stringValue {
                    case "event":
                        received.append(message["params"]?.seq ?? -1)
                    case "events.dropped":
                        dropped.append(message["params"]?["count"]?.intValue ?? -1)
                        if marker == nil {
                            let paused = try await controller.call("jobs.pause", .object(["ids": ["ticker"]]))
                            #expect(paused["changed"]?.strings == ["ticker"])
                            marker = try await Self.lastStoredSeq(of: daemon, job: "ticker", status: "PAUSED")
                        }
                    default:
                        Issue.record("unexpected line for a subscriber: \(message.compact)")
                    }
                }
                let missed = dropped.reduce(0, +)
                let span = (received.last ?? 0) - (received.first ?? 0) + 1
                say("never-reading subscriber: got \(received.count) events and \(dropped.count) events.dropped notice(s) counting \(missed)")
                #expect(!dropped.isEmpty && missed > 0, "no events.dropped notification")
                #expect(received.count <= 4_096 + 2_000, "more events reached the subscriber than its queue and socket hold: \(received.count)")
                #expect(
                    Int64(received.count) + missed == span,
                    "delivered \(received.count) + dropped \(missed) ≠ the \(span) events published (seq \(received.first ?? 0)…\(received.last ?? 0))")
                #expect(received == received.sorted(), "events arrived out of order")
                for socket in stuckOnes { socket.close() }
            }
        }
    }

    /// A client that opens 1,000 connections and sends nothing: the first 256 of its uid are accepted (and
    /// served when they do ask), every further one gets a -32005 error line naming the limit and is closed.
    /// Meanwhile a client connected before is served, `orkctl` as the same user says why it was turned away,
    /// another user is served (root only: `setpriv` to nobody), and once the flood closes, its descriptors are
    /// released and new connections are served again.
    @Test("a thousand connections: past 256 per user each gets an error naming the limit and is closed; others are served")
    func thousandConnections() async throws {
        try Self.raiseOwnDescriptorLimit(to: 4_096)
        let flood = 1_000
        let perUser = 256
        try await DaemonProcess.with(config: Self.config) { daemon in
            let pid = daemon.pid
            let bystander = try daemon.rawSocket()
            let first = try await bystander.request(#"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#)
            #expect(first["result"]?["pid"]?.intValue == Int64(pid))
            let baseline = try #require(ProcessTable.openDescriptors(of: pid))

            let clock = ContinuousClock()
            let floodStart = clock.now
            var sockets: [RawSocket] = []
            for _ in 0..<flood {
                sockets.append(try daemon.rawSocket())
                // connect() may block while the backlog is full; let the other suites' tasks have the thread.
                await Task.yield()
            }
            let connected = clock.now - floodStart

            // The refused ones each get one error line, then the end of the connection.
            var refused: [Int: JSONValue] = [:]
            let expectedRefusals = flood - (perUser - 1)
            let deadline = clock.now + .seconds(30)
            while refused.count < expectedRefusals && clock.now < deadline {
                for (index, socket) in sockets.enumerated() where refused[index] == nil {
                    if let line = try socket.availableLine() { refused[index] = try JSONValue.parse(Data(line)) }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            // Give a wrongly refused extra connection the chance to show up before counting.
            try await Task.sleep(for: .milliseconds(500))
            for (index, socket) in sockets.enumerated() where refused[index] == nil {
                if let line = try socket.availableLine() { refused[index] = try JSONValue.parse(Data(line)) }
            }
            say("1,000 connections: connected in \(seconds(connected)), \(refused.count) refused within \(seconds(clock.now - floodStart))")
            #expect(
                refused.count == expectedRefusals,
                "\(refused.count) connections refused; with the bystander holding one, \(expectedRefusals) should be")
            let sample = refused.values.first
            for (index, answer) in refused {
                #expect(answer["error"]?["code"] == .int(-32005) && answer["id"] == .null, "connection \(index): \(answer.compact)")
                #expect(
                    answer["error"]?["message"]?.stringValue?.contains("at most \(perUser) per user") == true,
                    "connection \(index): \(answer.compact)")
                #expect(try await sockets[index].waitForClose(timeout: .seconds(5)), "refused connection \(index) was left open")
                await Task.yield()
            }
            if let sample { say("1,000 connections: a refused one read \(sample.compact)") }

            // Those admitted are real connections: each one asks and is answered.
            for (index, socket) in sockets.enumerated() where refused[index] == nil {
                let answer = try await socket.request(#"{"jsonrpc":"2.0","id":\#(index),"method":"jobs.get","params":{"id":"ticker"}}"#)
                #expect(answer["id"] == .int(Int64(index)) && answer["result"] != nil, "admitted connection \(index): \(answer.compact)")
            }
            let during = try await bystander.request(#"{"jsonrpc":"2.0","id":2,"method":"daemon.status"}"#, timeout: .seconds(5))
            #expect(during["result"]?["pid"]?.intValue == Int64(pid), "the bystander was not served during the flood")

            // orkctl, as the flooding user, says why it cannot talk to the daemon.
            let orkctl = try ControlBinaries.folder() + "/orkctl"
            let turnedAway = try await CommandRunner.run([orkctl, "--socket", daemon.socketPath, "status"])
            #expect(turnedAway.status == 3 && turnedAway.stderr.contains("too many connections"), "\(turnedAway)")

            // Another user is not locked out by this one's flood.
            if getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
                guard chmod(daemon.directory, 0o711) == 0 else { throw HarnessError("chmod \(daemon.directory) failed") }
                let reachable = try TemporaryAccounts.executable(orkctl, reachableFrom: daemon.directory)
                let nobody = try await CommandRunner.run(
                    ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", reachable, "--socket", daemon.socketPath,
                     "status", "--json"])
                #expect(nobody.succeeded && nobody.stdout.contains("\"pid\""), "another user during the flood: \(nobody)")
            } else {
                say("thousandConnections: not root (or no setpriv), so another user's connection during the flood was not tried")
            }

            // The flood ends: every descriptor comes back and new connections are served at once.
            for socket in sockets { socket.close() }
            sockets.removeAll()
            let released = try await eventually("the daemon's descriptors back near \(baseline)", timeout: .seconds(20)) {
                ProcessTable.openDescriptors(of: pid).flatMap { $0 <= baseline + 4 ? $0 : nil }
            }
            say("1,000 connections: descriptors \(baseline) before, back to \(released) after")
            let fresh = try await daemon.call("daemon.status")
            #expect(fresh["pid"]?.intValue == Int64(pid))
            #expect(fresh["connections"] == .int(2), "the bystander and this call should be all that is open: \(fresh.compact)")
            _ = try await eventually("the refusal in the daemon's log") {
                daemon.log.contains("refusing control connections over the limit") ? true : nil
            }
        }
    }

    /// Started with systemd's usual soft limit of 1024 open files, the daemon raises it to 4,096 so a full
    /// set of connections fits; with a hard limit too low for that, it shrinks the total cap and says so.
    @Test("the daemon raises a low open-file limit, and shrinks its connection cap when the hard limit is low")
    func descriptorLimit() async throws {
        let prlimit = "/usr/bin/prlimit"
        guard FileManager.default.isExecutableFile(atPath: prlimit) else {
            say("descriptorLimit skipped: \(prlimit) is not installed")
            return
        }
        let small = "[daemon]\nseed = 1\ntimezone = \"UTC\"\n"
        try await DaemonProcess.with(config: small, launcher: [prlimit, "--nofile=1024:8192", "--"]) { daemon in
            let limits = try String(contentsOfFile: "/proc/\(daemon.pid)/limits", encoding: .utf8)
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? "none"
            #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first == "4096", "\(line)")
            try await Self.waitForListeningLine(of: daemon)
            #expect(daemon.log.contains("max_connections=1024") && daemon.log.contains("max_connections_per_user=256"), "\(daemon.logTail())")
        }
        try await DaemonProcess.with(config: small, launcher: [prlimit, "--nofile=512:512", "--"]) { daemon in
            try await Self.waitForListeningLine(of: daemon)
            #expect(
                daemon.log.contains("the open-file limit leaves room for fewer control connections than the default"),
                "\(daemon.logTail())")
            #expect(daemon.log.contains("max_connections=256"), "\(daemon.logTail())")
            let status = try await daemon.call("daemon.status")
            #expect(status["pid"]?.intValue == Int64(daemon.pid))
        }
    }

    /// The socket file exists from `bind`, a moment before the daemon logs it; and its log is read from a pipe.
    /// Lines arrive in order, so once this one is in, every line logged before it is too.
    static func waitForListeningLine(of daemon: DaemonProcess) async throws {
        _ = try await eventually("the daemon to log that its control socket is listening") {
            daemon.log.contains("control socket listening") ? true : nil
        }
    }

    /// The test process holds a thousand sockets too.
    static func raiseOwnDescriptorLimit(to wanted: rlim_t) throws {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { throw HarnessError("getrlimit: \(String(cString: strerror(errno)))") }
        guard limit.rlim_cur < wanted else { return }
        guard limit.rlim_max >= wanted else {
            throw HarnessError("the test needs \(wanted) open files but the hard limit is \(limit.rlim_max)")
        }
        limit.rlim_cur = wanted
        guard setrlimit(resource, &limit) == 0 else { throw HarnessError("setrlimit: \(String(cString: strerror(errno)))") }
    }
}
