/// One problem found in a configuration file, with the place it was found.
///
/// The text form is the one compilers use (`file:line:column: error: message`), so editors and terminals make
/// it clickable, and the daemon's `config.reload` error carries the same fields as JSON.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, CaseIterable {
        /// The configuration cannot be used.
        case error
        /// Printed by `--check-config` and logged on load; the configuration is still used.
        case warning
    }

    /// The path as it was read (the main file as given, drop-ins as `<dir>/conf.d/<name>.toml`).
    public var file: String
    /// 1-based.
    public var line: Int
    /// 1-based, in Unicode scalars.
    public var column: Int
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    public var description: String { "\(file):\(line):\(column): \(severity.rawValue): \(message)" }
}
