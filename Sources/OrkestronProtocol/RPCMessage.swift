import Foundation

/// A JSON-RPC 2.0 request or notification (no `id`).
public struct RPCRequest: Sendable, Hashable {
    public var id: JSONValue?
    public var method: String
    public var params: JSONValue

    public init(id: JSONValue?, method: String, params: JSONValue = .object([])) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var isNotification: Bool { id == nil }

    public var json: JSONValue {
        .object(["jsonrpc": "2.0", "id": id, "method": .string(method), "params": params])
    }
}

/// One response: a result or an error, for the request with `id` (null when the request's id was unreadable).
public struct RPCResponse: Sendable, Hashable {
    public var id: JSONValue
    public var outcome: Result<JSONValue, RPCError>

    public init(id: JSONValue, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        self.outcome = outcome
    }

    public var json: JSONValue {
        switch outcome {
        case .success(let result): return .object([("jsonrpc", "2.0"), ("id", id), ("result", result)])
        case .failure(let error): return .object([("jsonrpc", "2.0"), ("id", id), ("error", error.json)])
        }
    }
}

/// One element of a line: a request to dispatch, or the error it earned before it could be.
public enum RPCEntry: Sendable {
    case request(RPCRequest)
    case rejected(RPCResponse)
}

/// What one line of the control socket holds.
public enum RPCLine: Sendable {
    /// A single request (or notification), or the error it earned before it could be dispatched.
    case single(RPCEntry)
    /// A batch: each element is a request or the error for that element.
    case batch([RPCEntry])
    /// Not JSON, or an empty batch: answered with one error.
    case failed(RPCResponse)

    /// Reads one line (without its terminator) per JSON-RPC 2.0: parse errors are -32700, anything that is not a
    /// request object is -32600.
    public static func parse(_ line: Data) -> RPCLine {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            return .failed(RPCResponse(id: .null, outcome: .failure(.parseError(error.message))))
        }
        if case .array(let items) = value {
            guard !items.isEmpty else {
                return .failed(RPCResponse(id: .null, outcome: .failure(.invalidRequest("empty batch"))))
            }
            return .batch(items.map(request(from:)))
        }
        return .single(request(from: value))
    }

    static func request(from value: JSONValue) -> RPCEntry {
        guard case .object = value else {
            return .rejected(RPCResponse(id: .null, outcome: .failure(.invalidRequest("expected an object"))))
        }
        // An id that is not a string, number or null cannot be echoed; answer with null.
        var id: JSONValue? = value["id"]
        switch id {
        case .some(.string), .some(.int), .some(.double), .some(.null), .none: break
        default: id = nil
        }
        let replyID = id ?? .null
        guard value["jsonrpc"] == .string("2.0") else {
            return .rejected(RPCResponse(id: replyID, outcome: .failure(.invalidRequest("\"jsonrpc\" must be \"2.0\""))))
        }
        if value["id"] != nil && id == nil {
            return .rejected(RPCResponse(id: .null, outcome: .failure(.invalidRequest("\"id\" must be a string, number or null"))))
        }
        guard let method = value["method"]?.stringValue else {
            return .rejected(RPCResponse(id: replyID, outcome: .failure(.invalidRequest("\"method\" must be a string"))))
        }
        let params = value["params"] ?? .object([])
        switch params {
        case .object, .array: break
        default:
            return .rejected(RPCResponse(id: replyID, outcome: .failure(.invalidRequest("\"params\" must be an object or an array"))))
        }
        return .request(RPCRequest(id: id, method: method, params: params))
    }
}

/// A notification the daemon sends (`event`, `events.dropped`).
public struct RPCNotification: Sendable, Hashable {
    public var method: String
    public var params: JSONValue

    public init(method: String, params: JSONValue) {
        self.method = method
        self.params = params
    }

    public var json: JSONValue {
        .object([("jsonrpc", "2.0"), ("method", .string(method)), ("params", params)])
    }
}
