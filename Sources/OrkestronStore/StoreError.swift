/// A failure of the store, with the database path and the operation that failed.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database file could not be opened or created (missing folder, permissions, not a database).
    case cannotOpen(path: String, message: String)
    /// The schema could not be brought up to date (e.g. the file was written by a newer version).
    case migrationFailed(path: String, message: String)
    /// An SQL statement failed; `code` is SQLite's extended result code when SQLite raised it.
    case operationFailed(operation: String, path: String, code: Int32?, message: String)
    /// A stored row holds a value the store cannot read back (an unknown status or trigger).
    case corruptRow(operation: String, path: String, detail: String)
    /// The file is damaged or is not an Orkestron database at all; it is left exactly as it was.
    case damaged(path: String, problem: String)
    /// The file was written by a newer orkestrond whose schema this one does not know; it is left as it was.
    case newerSchema(path: String, detail: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let message):
            return "cannot open the database \(path): \(message)"
        case .migrationFailed(let path, let message):
            return "cannot migrate the database \(path): \(message)"
        case .operationFailed(let operation, let path, let code, let message):
            let codeText = code.map { " (SQLite code \($0))" } ?? ""
            return "\(operation) failed on \(path): \(message)\(codeText)"
        case .corruptRow(let operation, let path, let detail):
            return "\(operation) found an unreadable row in \(path): \(detail)"
        case .damaged(let path, let problem):
            return "the database \(path) \(problem); it was left untouched: restore it from a backup, or move it "
                + "away to start with an empty history"
        case .newerSchema(let path, let detail):
            return "the database \(path) was written by a newer orkestrond (\(detail)); it was left untouched: "
                + "run that version, or move the file away to start with an empty history"
        }
    }
}
