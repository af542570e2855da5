import Foundation
import OrkestronCore
import OrkestronStore
import Testing

@Suite("Run history queries")
struct StoreQueryTests {
    /// Four runs of two jobs with different outcomes, one still queued.
    static func history() throws -> Store {
        let store = try Store.inMemory()
        var script = EventScript()
        script.succeedingManualRun("a", "a-000001", at: 0)
        script.add(at: 1_000, "b", "b-000001", .queued) {
            $0.attempt = 1
            $0.trigger = .manual
            $0.slot = EventScript.at(1_000)
        }
        script.add(at: 1_000, "b", "b-000001", .running) { $0.attempt = 1 }
        script.add(at: 1_300, "b", "b-000001", .failed) {
            $0.attempt = 1
            $0.durationMs = 300
            $0.exitCode = 2
            $0.reason = "exit status 2"
        }
        script.succeedingManualRun("a", "a-000002", at: 2_000)
        script.add(at: 3_000, "b", "b-000002", .queued) {
            $0.attempt = 1
            $0.trigger = .onFailure
            $0.slot = EventScript.at(3_000)
            $0.triggeredBy = TriggerSource(jobId: "b", runId: "b-000001", status: .failed)
        }
        try store.append(events: script.flush(), jobStates: [])
        return store
    }

    /// Without filters the history lists every run, newest first, up to the limit.
    @Test("runs are listed newest first and capped by the limit")
    func newestFirst() throws {
        // Given four runs
        let store = try Self.history()

        // When the history is listed
        let all = try store.runs(job: nil, status: nil, since: nil, limit: 50)
        let two = try store.runs(job: nil, status: nil, since: nil, limit: 2)

        // Then the newest comes first
        #expect(all.map(\.runId) == ["b-000002", "a-000002", "b-000001", "a-000001"])
        #expect(two.map(\.runId) == ["b-000002", "a-000002"])
        #expect(try store.runs(job: nil, status: nil, since: nil, limit: 0).isEmpty)
    }

    /// Job, status and time filters combine.
    @Test("runs are filtered by job, status and creation time")
    func filters() throws {
        // Given four runs
        let store = try Self.history()

        // When the history is filtered
        let ofA = try store.runs(job: "a", status: nil, since: nil, limit: 50)
        let failed = try store.runs(job: nil, status: "failed", since: nil, limit: 50)
        let recent = try store.runs(job: nil, status: nil, since: EventScript.at(2_000), limit: 50)
        let queuedOfB = try store.runs(job: "b", status: "QUEUED", since: EventScript.at(0), limit: 50)

        // Then only the matching runs are listed
        #expect(ofA.map(\.runId) == ["a-000002", "a-000001"])
        #expect(failed.map(\.runId) == ["b-000001"])
        #expect(failed.first?.exitCode == 2)
        #expect(failed.first?.reason == "exit status 2")
        #expect(recent.map(\.runId) == ["b-000002", "a-000002"])
        #expect(queuedOfB.map(\.runId) == ["b-000002"])
        #expect(queuedOfB.first?.triggeredBy == RunTriggerSource(jobId: "b", runId: "b-000001", status: "FAILED"))
        #expect(try store.lastRuns(job: "a", limit: 1).map(\.runId) == ["a-000002"])
    }

    /// Asking for a run that does not exist is not an error.
    @Test("an unknown run id gives nil")
    func unknownRun() throws {
        // Given four runs
        let store = try Self.history()

        // When an unknown run is asked for
        let detail = try store.run(id: "zzz-000001")

        // Then there is none
        #expect(detail == nil)
    }

    /// The records are sent as JSON-RPC results as they are: camelCase keys, explicit nulls.
    @Test("run rows encode to JSON with camelCase names and explicit nulls")
    func jsonShape() throws {
        // Given a queued triggered run
        let store = try Self.history()
        let detail = try #require(try store.run(id: "b-000002"))

        // When its row and attempt are encoded
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let run = String(decoding: try encoder.encode(detail.run), as: UTF8.self)
        let attempt = String(decoding: try encoder.encode(detail.attempts[0]), as: UTF8.self)

        // Then the JSON has every field, null when absent
        #expect(
            run == """
                {"attempt":1,"createdAt":"2026-01-05T00:00:03.000Z","durationMs":null,"exitCode":null,\
                "final":false,"finishedAt":null,"jobId":"b","reason":null,"runId":"b-000002",\
                "signal":null,"slot":"2026-01-05T00:00:03.000Z","startedAt":null,"status":"QUEUED",\
                "trigger":"on_failure","triggeredBy":{"jobId":"b","runId":"b-000001","status":"FAILED"}}
                """)
        #expect(
            attempt == """
                {"durationMs":null,"exitCode":null,"finishedAt":null,"number":1,\
                "queuedAt":"2026-01-05T00:00:03.000Z","reason":null,"signal":null,"startedAt":null,\
                "status":"QUEUED"}
                """)
        // And it decodes back
        #expect(try JSONDecoder().decode(RunRecordRow.self, from: Data(run.utf8)) == detail.run)
    }
}
