import Foundation
import Logging
import Synchronization

/// Writes `LEVEL message key=value …` lines to standard error (SPEC §8), the format used when the daemon does
/// not run under systemd.
///
/// Metadata keys use swift-log's dot-namespaced names internally (`job.id`); they are printed with the short
/// names of the specification (`job`, `run`, `status`, `attempt`, `duration_ms`).
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Keys printed first, in this order, under their short names.
    static let orderedKeys: [(String, String)] = [
        ("job.id", "job"), ("run.id", "run"), ("run.status", "status"), ("run.attempt", "attempt"),
        ("run.duration_ms", "duration_ms"),
    ]

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = event.level.rawValue.uppercased() + " " + event.message.description
        for (key, short) in Self.orderedKeys {
            if let value = merged.removeValue(forKey: key) { line += " \(short)=\(Self.quote("\(value)"))" }
        }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quote("\(merged[key]!)"))"
        }
        line += "\n"
        Self.output.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Quotes values with spaces or quotes so a line stays machine-splittable.
    static func quote(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || value.isEmpty else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static let output = Mutex(())
}
