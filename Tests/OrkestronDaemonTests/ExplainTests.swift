import Foundation
import OrkestronProtocol
import Testing

/// "Why" over the socket: `jobs.explain` names the cause with its numbers and times, and `jobs.next` shows the
/// policies and DST changes that touch upcoming slots.
@Suite("explain and next")
struct ExplainTests {
    /// A slot's DST note, or "".
    static func dst(_ slot: JSONValue) -> String {
        slot["dst"]?.stringValue ?? ""
    }

    static func texts(_ explain: JSONValue) -> [String] {
        explain["reasons"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
    }

    @Test("a run backing off names the failed attempt's exit code and the next attempt's time")
    func backingOff() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            [[job]]
            id = "flaky"
            command = ["/bin/sh", "-c", "exit 3"]
            retry = { max_retries = 2, initial_delay = "30s" }
            """
        try await DaemonProcess.with(config: config) { daemon in
            _ = try await daemon.call("jobs.run", .object(["id": "flaky"]))
            let reasons = try await eventually("a backing-off reason") {
                let texts = Self.texts(try await daemon.call("jobs.explain", .object(["id": "flaky"])))
                return texts.contains { $0.contains("backing off") } ? texts : nil
            }
            let text = try #require(reasons.first { $0.contains("backing off") })
            #expect(text.contains("after attempt 1 failed (exit 3)"), "\(text)")
            #expect(text.range(of: #"next attempt at \d\d:\d\d:\d\d UTC"#, options: .regularExpression) != nil, "\(text)")
        }
    }

    @Test("a skipped slot is explained after the fact: the next slot, and why the last one did not run")
    func skippedSlot() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "UTC"
            [[job]]
            id = "slow"
            interval = "400ms"
            duration = "1100ms"
            overlap = "skip"
            """
        try await DaemonProcess.with(config: config) { daemon in
            let text = try await eventually("a next-slot reason naming the skipped slot") {
                Self.texts(try await daemon.call("jobs.explain", .object(["id": "slow"])))
                    .first { $0.hasPrefix("next slot") && $0.contains("was skipped") }
            }
            #expect(text.contains("still active") || text.contains("overlap"), "\(text)")
            let skipped = try #require(
                try await daemon.call("runs.list", .object(["job": "slow", "status": "SKIPPED", "limit": 5])).arrayValue)
            #expect(!skipped.isEmpty, "every planned slot's outcome is in the history")
        }
    }

    @Test("next: slots in the job's zone and UTC, DST moves and repeats flagged, interval shifts noted")
    func nextAcrossDaylightSaving() async throws {
        let config = """
            [daemon]
            seed = 1
            timezone = "Europe/Berlin"
            [[job]]
            id = "gap"
            cron = "30 2 * * *"
            timezone = "Europe/Berlin"
            duration = "10ms"
            [[job]]
            id = "natural"
            cron = "0 3 * * *"
            timezone = "Europe/Berlin"
            duration = "10ms"
            [[job]]
            id = "daily"
            interval = "1d"
            duration = "10ms"
            """
        try await DaemonProcess.with(config: config) { daemon in
            // A year of daily slots crosses both of Berlin's changes whatever day the test runs.
            let gap = try #require(try await daemon.call("jobs.next", .object(["id": "gap", "count": 370])).arrayValue)
            #expect(gap.allSatisfy { $0["zone"]?.stringValue == "Europe/Berlin" && $0["local"]?.stringValue != nil })
            let notes = gap.map(Self.dst)
            let moved = gap.filter { Self.dst($0).hasPrefix("moved to 03:00") }
            #expect(moved.count == 1, "\(gap.compactMap { $0["dst"] })")
            #expect(moved.first?["local"]?.stringValue?.hasSuffix("T03:00:00+02:00") == true, "\(moved)")
            let repeatedHour = notes.filter { $0.hasSuffix("repeats: runs once, at the first occurrence") }.count
            #expect(repeatedHour == 1, "\(notes.filter { !$0.isEmpty })")

            let natural = try #require(try await daemon.call("jobs.next", .object(["id": "natural", "count": 370])).arrayValue)
            #expect(!natural.contains { $0["dst"] != nil }, "03:00 is its own wall time, not a moved one: \(natural.compactMap { $0["dst"] })")

            let daily = try #require(try await daemon.call("jobs.next", .object(["id": "daily", "count": 370])).arrayValue)
            let shifts = daily.compactMap { $0["dst"]?.stringValue }
            #expect(shifts.count == 2 && shifts.contains { $0.hasPrefix("local time shifts +60m") }
                && shifts.contains { $0.hasPrefix("local time shifts -60m") }, "\(shifts)")
        }
    }
}
