import OrkestronConfig

extension Diagnostic {
    /// The wire form: an element of `config.reload`'s -32004 `data.diagnostics` and of `check-config --json`.
    public var json: JSONValue {
        .object([
            ("file", .string(file)), ("line", .int(Int64(line))), ("column", .int(Int64(column))),
            ("severity", .string(severity.rawValue)), ("message", .string(message)),
        ])
    }
}
