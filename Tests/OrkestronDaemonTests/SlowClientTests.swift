import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that are slow or go away at odd moments: one byte a second, half-closed sockets, clients that hang
/// up in the middle of an answer. Light on the CPU, so not serialized.
@Suite("slow and hostile clients: a byte a second, half-closed sockets, clients that vanish")
struct SlowClientTests {
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "ticker"
        type = "metrics"
        interval = "500ms"
        duration = "5ms"

        [[job]]
        id = "manual"
        type = "sync"
        duration = "300ms"

        [[job]]
        id = "quiet"
        type = "sync"
        duration = "10ms"
        """

    /// A client trickling a request one byte a second blocks no one: other clients are answered at once, also
    /// one whose line comes in three pieces. Its own line, unfinished 10 s after its first byte, is answered
    /// with -32600 and the connection is closed, so it cannot hold a connection (and a line buffer) for ever.
    @Test("a client sending one byte a second blocks no one and is cut off 10 s into its unfinished line")
    func oneBytePerSecond() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let slow = try daemon.rawSocket()
            let other = try daemon.rawSocket()
            let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#.utf8)
            let clock = ContinuousClock()
            let firstByte = clock.now
            var sent = 0
            var slowest = Duration.zero
            var cutOff: (answer: JSONValue, after: Duration)?
            while cutOff == nil {
                guard clock.now - firstByte < .seconds(40) else {
                    throw HarnessError("the slow client was still connected 40 s after its first byte (\(sent) bytes sent)")
                }
                if sent < request.count, try await slow.send([request[sent]]) { sent += 1 }

                // Meanwhile another client is answered at once, also when its line arrives in pieces.
                let asked = clock.now
                let id = 100 + sent
                let line = Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"jobs.get","params":{"id":"ticker"}}"#.utf8) + [0x0A]
                try await other.send(Array(line[..<10]))
                try await Task.sleep(for: .milliseconds(100))
                try await other.send(Array(line[10..<30]))
                try await Task.sleep(for: .milliseconds(100))
                try await other.send(Array(line[30...]))
                let answer = try await other.readJSON(timeout: .seconds(10))
                #expect(answer["id"] == .int(Int64(id)) && answer["result"]?["definition"]?["id"] == "ticker", "\(answer.compact)")
                slowest = max(slowest, clock.now - asked - .milliseconds(200))

                if let line = try slow.availableLine() {
                    cutOff = (try JSONValue.parse(Data(line)), clock.now - firstByte)
                    break
                }
                try await Task.sleep(until: firstByte + .seconds(sent), clock: clock)
            }
            let (answer, after) = try #require(cutOff)
            say("one byte a second: cut off after \(seconds(after)) and \(sent) bytes; slowest answer to another client meanwhile \(seconds(slowest))")
            #expect(answer["error"]?["code"] == .int(-32600) && answer["id"] == .null, "\(answer.compact)")
            #expect(answer["error"]?["message"]?.stringValue?.contains("not completed within 10 s") == true, "\(answer.compact)")
            #expect(after >= .seconds(9), "cut off after only \(seconds(after)); the deadline is 10 s")
            #expect(try await slow.waitForClose(timeout: .seconds(5)), "the slow client's connection stayed open after the error")
            #expect(sent < request.count, "the whole line went out before the cut-off; the test proves nothing")
            // Blocked behind the partial line, the other client would wait for the cut-off (10 s); a loaded
            // 2-core machine alone can take a few seconds.
            #expect(slowest < .seconds(6), "another client waited \(seconds(slowest)) while one sent a byte a second")
            let fresh = try await daemon.call("daemon.status")
            #expect(fresh["pid"]?.intValue == Int64(daemon.pid))
        }
    }

    /// A client that shuts down its write side right after its requests (as `nc -N` does) still gets every
    /// answer, also one that takes a while (`jobs.run` with `wait`), and then the daemon closes its side.
    @Test("a client that half-closes after its requests still gets every answer, then the daemon closes")
    func halfClosedRequest() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let socket = try daemon.rawSocket()
            try await socket.send(line: #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#)
            try await socket.send(line: #"{"jsonrpc":"2.0","id":2,"method":"jobs.run","params":{"id":"manual","wait":true}}"#)
            try socket.shutdownWrite()
            let status = try await socket.readJSON()
            #expect(status["id"] == .int(1) && status["result"]?["pid"]?.intValue == Int64(daemon.pid), "\(status.compact)")
            let run = try await socket.readJSON(timeout: .seconds(20))
            #expect(run["id"] == .int(2) && run["result"]?["status"] == "SUCCESS", "\(run.compact)")
            #expect(try await socket.waitForClose(timeout: .seconds(5)), "the daemon kept the half-closed connection open")
        }
    }

    /// A subscriber that half-closes (`echo '{…events.subscribe…}' | nc -N -U …`) keeps receiving events: it
    /// has said all it will say, not that it stopped listening.
    @Test("a subscriber that half-closes keeps receiving events")
    func halfClosedSubscriber() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let socket = try daemon.rawSocket()
            let subscribed = try await socket.request(
                #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"jobs":["manual"]}}"#)
            #expect(subscribed["result"]?["subscribed"] == .bool(true), "\(subscribed.compact)")
            try socket.shutdownWrite()
            // Let the daemon see the end of input before the events it must still send.
            try await Task.sleep(for: .milliseconds(300))
            let run = try await daemon.call("jobs.run", .object(["id": "manual", "wait": true]))
            let runId = try #require(run["runId"]?.stringValue)
            var statuses: [String] = []
            while !statuses.contains("SUCCESS") {
                let line = try await socket.readJSON(timeout: .seconds(10))
                #expect(line["method"] == "event", "\(line.compact)")
                if line["params"]?.runId == runId, let status = line["params"]?.status { statuses.append(status) }
            }
            #expect(statuses == ["QUEUED", "RUNNING", "SUCCESS"], "\(statuses)")
        }
    }

    /// Clients that hang up in the middle of a long answer, or right after subscribing (also half-closed
    /// first), cost nothing once gone: the daemon's descriptors come back to where they were, it counts no
    /// connection or subscription of theirs, it still answers, and it logs no error.
    @Test("clients that vanish mid-answer or after subscribing leave no descriptor, subscription or error behind")
    func vanishingClients() async throws {
        try await DaemonProcess.with(config: Self.config) { daemon in
            let pid = daemon.pid
            _ = try await daemon.call("daemon.status")
            let baseline = try #require(ProcessTable.openDescriptors(of: pid))
            // About 1 MB of answer: more than the socket buffers hold, so the daemon is still writing at the hang-up.
            let big = "[" + (1...6).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"jobs.next","params":{"id":"ticker","count":1000}}"# }
                .joined(separator: ",") + "]"
            for round in 0..<40 {
                let socket = try daemon.rawSocket()
                switch round % 4 {
                case 0:
                    try await socket.send(line: big)
                    try await Task.sleep(for: .milliseconds(20))
                case 1:
                    try await socket.send(line: big)
                    _ = try await socket.readLine(timeout: .seconds(10)).map { _ in () }
                case 2:
                    // Subscribed to a job that never runs: nothing is ever written, so only the hang-up can end it.
                    try await socket.send(line: #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"jobs":["quiet"]}}"#)
                    _ = try await socket.readJSON()
                    try socket.shutdownWrite()
                    try await Task.sleep(for: .milliseconds(20))
                default:
                    try await socket.send(line: #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"jobs":["quiet"]}}"#)
                    _ = try await socket.readJSON()
                }
                socket.close()
            }
            let settled = try await eventually("the daemon's descriptors back near \(baseline)", timeout: .seconds(20)) {
                ProcessTable.openDescriptors(of: pid).flatMap { $0 <= baseline + 2 ? $0 : nil }
            }
            say("vanishing clients: descriptors \(baseline) before 40 vanishing clients, \(settled) after")
            // Nothing of theirs is left in the daemon either: no connection (this call's own aside), no subscription.
            let status = try await eventually("the vanished clients' connections and subscriptions to be gone") { () -> JSONValue? in
                let status = try await daemon.call("daemon.status")
                // Spelled out: JSONValue is ExpressibleByNilLiteral, so `cond ? status : nil` would be `.null`.
                guard status["connections"] == .int(1), status["subscribers"] == .int(0) else { return Optional.none }
                return status
            }
            #expect(status["pid"]?.intValue == Int64(pid), "\(status.compact)")
            let errors = daemon.log.split(separator: "\n").filter { $0.hasPrefix("ERROR") || $0.hasPrefix("CRITICAL") }
            #expect(errors.isEmpty, "the daemon logged errors: \(errors.prefix(5))")
        }
    }
}
