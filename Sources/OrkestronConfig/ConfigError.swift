/// Why a configuration could not be loaded: every error found in every file, and the warnings alongside.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Errors and warnings, ordered by file (in reading order), then line and column.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// Only the diagnostics that make the configuration unusable.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A configuration file's text and the path it is reported under; lets tests and fuzzers skip the file system.
public struct ConfigSource: Sendable, Hashable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
