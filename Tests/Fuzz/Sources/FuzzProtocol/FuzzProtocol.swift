import Foundation
import OrkestronProtocol

/// libFuzzer's entry: one control-socket line, without its `\n`, through the decoder the daemon uses.
///
/// Every line must come back as requests or errors, never a crash: any local user may connect (SPEC §5). The
/// errors the decoder produced are also encoded, because the daemon writes them back as they are, echoing the
/// request's `id`; a response that is not JSON, or that lost the id, would leave the client unable to match it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtocolLine(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let line = Data(UnsafeBufferPointer(start: bytes, count: count))
    switch RPCLine.parse(line) {
    case .failed(let response):
        checkEncoding(of: response)
    case .single(let entry):
        check(entry)
    case .batch(let entries):
        precondition(!entries.isEmpty, "an empty batch must be a single error")
        entries.forEach(check)
    }
    return 0
}

private func check(_ entry: RPCEntry) {
    switch entry {
    case .rejected(let response):
        checkEncoding(of: response)
    case .request(let request):
        // The daemon answers every request with an id; a method the fuzzer invented is answered -32601.
        guard let id = request.id else { return }
        checkEncoding(of: RPCResponse(id: id, outcome: .failure(.methodNotFound(request.method))))
    }
}

/// The encoded response reads back as one JSON object carrying the same id.
private func checkEncoding(of response: RPCResponse) {
    let text = response.json.serialized
    precondition(!text.contains("\n"), "a response must fit on one line")
    guard let decoded = try? JSONValue.parse(text) else { preconditionFailure("the daemon wrote invalid JSON: \(text)") }
    precondition(decoded["id"] == response.id, "the response's id changed on the wire: \(text)")
}
