import CSystemd
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes structured entries to the systemd journal with `sd_journal_sendv(3)`.
///
/// Each entry has `MESSAGE`, `PRIORITY` (syslog levels from swift-log's), `SYSLOG_IDENTIFIER`, the Swift
/// caller's `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and the metadata as `ORKESTRON_*` fields: the run's
/// (`job.id` → `ORKESTRON_JOB`, `run.id` → `ORKESTRON_RUN`, `run.status` → `ORKESTRON_STATUS`, `run.attempt` →
/// `ORKESTRON_ATTEMPT`, `run.duration_ms` → `ORKESTRON_DURATION_MS`) and any other key upper-cased with
/// non-alphanumerics as `_` (`reason` → `ORKESTRON_REASON`). Event entries and job output carry a stable
/// `MESSAGE_ID` (see `JournalMessageID`).
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let identifier: String

    public init(identifier: String, level: Logger.Level = .info) {
        self.identifier = identifier
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The fields of SPEC §4 for the metadata keys the daemon uses internally.
    static let fieldNames: [String: String] = [
        "job.id": "ORKESTRON_JOB", "run.id": "ORKESTRON_RUN", "run.status": "ORKESTRON_STATUS",
        "run.attempt": "ORKESTRON_ATTEMPT", "run.duration_ms": "ORKESTRON_DURATION_MS",
    ]

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let message = event.message.description
        var fields = [
            "MESSAGE=" + message, "PRIORITY=\(Self.priority(event.level))", "SYSLOG_IDENTIFIER=" + identifier,
            "CODE_FILE=" + event.file, "CODE_LINE=\(event.line)", "CODE_FUNC=" + event.function,
        ]
        if case .string(let status)? = merged["run.status"], let id = JournalMessageID.byStatus[status] {
            fields.append("MESSAGE_ID=" + id)
        } else if merged["stream"] != nil {
            fields.append("MESSAGE_ID=" + JournalMessageID.processOutput)
        }
        for (key, value) in merged {
            fields.append((Self.fieldNames[key] ?? Self.fieldName(key)) + "=\(value)")
        }
        // Never lose a line: without fields if the field list is refused, on stderr if the journal is gone.
        if Self.send(fields) < 0 && csystemd_journal_print(Self.priority(event.level), message) < 0 {
            let line = Array("\(event.level.rawValue.uppercased()) \(message)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// `ORKESTRON_` and the key upper-cased, every character outside A–Z and 0–9 as `_` (journal field rules).
    static func fieldName(_ key: String) -> String {
        "ORKESTRON_" + String(key.uppercased().unicodeScalars.map { scalar in
            ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
        })
    }

    /// syslog(3) priorities: 2 crit, 3 err, 4 warning, 5 notice, 6 info, 7 debug.
    static func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// One `sd_journal_sendv` call: the fields are laid out in one buffer and an iovec points at each.
    static func send(_ fields: [String]) -> Int32 {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
        return bytes.withUnsafeMutableBytes { buffer in
            var vectors = ranges.map { range in
                iovec(iov_base: buffer.baseAddress.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            return sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }
}
