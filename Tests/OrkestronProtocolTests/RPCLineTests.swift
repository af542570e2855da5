import Foundation
import OrkestronCore
import Testing

@testable import OrkestronProtocol

@Suite("JSON-RPC line parsing")
struct RPCLineTests {
    private func single(_ text: String) -> RPCEntry? {
        if case .single(let entry) = RPCLine.parse(Data(text.utf8)) { return entry }
        return nil
    }

    private func errorCode(_ text: String) -> Int? {
        switch RPCLine.parse(Data(text.utf8)) {
        case .failed(let response):
            if case .failure(let error) = response.outcome { return error.code }
        case .single(.rejected(let response)):
            if case .failure(let error) = response.outcome { return error.code }
        case .single(.request), .batch:
            return nil
        }
        return nil
    }

    /// A well-formed request keeps its id, method and params; a missing id makes it a notification.
    @Test("requests and notifications are told apart by their id")
    func requests() {
        guard case .request(let request)? = single(#"{"jsonrpc":"2.0","id":7,"method":"jobs.get","params":{"id":"a"}}"#)
        else { Issue.record("not a request"); return }
        #expect(request.id == .int(7))
        #expect(request.method == "jobs.get")
        #expect(request.params["id"] == "a")
        guard case .request(let note)? = single(#"{"jsonrpc":"2.0","method":"events.unsubscribe"}"#) else {
            Issue.record("not a notification"); return
        }
        #expect(note.isNotification)
    }

    /// Every malformed line gets the error code of SPEC §5 and §8.
    @Test("malformed lines map to -32700 and -32600")
    func errorCodes() {
        #expect(errorCode("{not json") == RPCError.parseErrorCode)
        #expect(errorCode("[]") == RPCError.invalidRequestCode)
        #expect(errorCode("42") == RPCError.invalidRequestCode)
        #expect(errorCode(#"{"jsonrpc":"1.0","id":1,"method":"x"}"#) == RPCError.invalidRequestCode)
        #expect(errorCode(#"{"jsonrpc":"2.0","id":1}"#) == RPCError.invalidRequestCode)
        #expect(errorCode(#"{"jsonrpc":"2.0","id":{},"method":"x"}"#) == RPCError.invalidRequestCode)
        #expect(errorCode(#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#) == RPCError.invalidRequestCode)
        var invalid = Data(#"{"jsonrpc":"2.0","id":1,"method":""#.utf8)
        invalid.append(contentsOf: [0xC3, 0x28, 0x22, 0x7D])
        guard case .failed(let response) = RPCLine.parse(invalid), case .failure(let error) = response.outcome else {
            Issue.record("invalid UTF-8 accepted"); return
        }
        #expect(error.code == RPCError.parseErrorCode)
        #expect(error.message == "parse error: invalid UTF-8")
    }

    /// A batch keeps its elements in order, each a request or its own error.
    @Test("a batch parses element by element")
    func batch() {
        guard case .batch(let entries) = RPCLine.parse(Data(#"[{"jsonrpc":"2.0","id":1,"method":"a"},5]"#.utf8)) else {
            Issue.record("not a batch"); return
        }
        #expect(entries.count == 2)
        if case .request(let first) = entries[0] { #expect(first.method == "a") } else { Issue.record("first") }
        if case .rejected = entries[1] {} else { Issue.record("second should be rejected") }
    }

    /// Serialization keeps member order, escapes control characters and never emits a raw newline.
    @Test("serialization is compact, ordered and one line")
    func serialization() throws {
        let value = JSONValue.object([("b", 1), ("a", "x\n\"y\"\u{1}"), ("c", [true, nil, 2.5])])
        #expect(value.serialized == #"{"b":1,"a":"x\n\"y\"\u0001","c":[true,null,2.5]}"#)
        #expect(try JSONValue.parse(value.serialized)["a"] == "x\n\"y\"\u{1}")
        #expect(try JSONValue.parse("12345678901234")  == .int(12_345_678_901_234))
        #expect(try JSONValue.parse("1.5") == .double(1.5))
    }

    /// An event survives its wire form: the nine base fields always, details when set.
    @Test("events round-trip through their wire form")
    func eventRoundTrip() throws {
        let event = Event(
            seq: 1834, time: Instant(millisecondsSinceEpoch: 1_795_939_201_842), jobId: "sync_001",
            runId: "sync_001-000042", status: .failed, attempt: 2, durationMs: 842, nextRetryIn: 4000,
            reason: "simulated failure", exitCode: 3,
            triggeredBy: TriggerSource(jobId: "main", runId: "main-000001", status: .success))
        let json = event.json
        #expect(json.serialized.hasPrefix(
            #"{"seq":1834,"time":"2026-11-29T08:00:01.842Z","jobId":"sync_001","runId":"sync_001-000042","status":"FAILED","attempt":2,"durationMs":842,"nextRetryIn":4000,"reason":"simulated failure""#))
        #expect(Event(json: try JSONValue.parse(json.serialized)) == event)
        let jobLevel = Event(seq: 1, time: event.time, jobId: "a", runId: nil, status: .paused, by: "uid 0")
        #expect(jobLevel.json["runId"] == .null)
        #expect(jobLevel.json["attempt"] == .null)
    }
}
