/// A JSON-RPC error object with the stable codes of SPEC §5.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(message) (\(code))" }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    public static let notFoundCode = -32001
    public static let conflictCode = -32002
    public static let forbiddenCode = -32003
    public static let invalidConfigurationCode = -32004
    /// Not in SPEC §5's list (which is silent on connection limits): a connection over the daemon's limits
    /// gets this once, with `id: null`, and is closed. In JSON-RPC's server-error range like the others.
    public static let tooManyConnectionsCode = -32005

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "parse error: \(detail)")
    }

    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "invalid request: \(detail)")
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "method not found: \(method)")
    }

    public static func invalidParams(_ detail: String) -> RPCError {
        RPCError(code: invalidParamsCode, message: "invalid params: \(detail)")
    }

    public static func notFound(_ detail: String) -> RPCError {
        RPCError(code: notFoundCode, message: detail)
    }

    public static func conflict(_ detail: String) -> RPCError {
        RPCError(code: conflictCode, message: detail)
    }

    public static func forbidden(_ detail: String) -> RPCError {
        RPCError(code: forbiddenCode, message: detail)
    }

    public static func tooManyConnections(_ detail: String) -> RPCError {
        RPCError(code: tooManyConnectionsCode, message: detail)
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: internalErrorCode, message: "internal error: \(detail)")
    }

    public var json: JSONValue {
        .object(["code": .int(Int64(code)), "message": .string(message), "data": data])
    }

    public init?(json: JSONValue) {
        guard let code = json["code"]?.intValue, let message = json["message"]?.stringValue else { return nil }
        self.init(code: Int(code), message: message, data: json["data"])
    }
}
