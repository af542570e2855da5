import Foundation
import GRDB
import OrkestronCore

/// The daemon's SQLite database: definitions, per-job state, runs, attempts and the event history.
///
/// One `Store` owns one GRDB writer (a `DatabasePool` in WAL mode for a file, a `DatabaseQueue` in memory for
/// tests) and exposes every write as a named method that is one transaction, so a crash never leaves half of an
/// engine step on disk. Reads on a pool run concurrently with the writer and see the last committed state.
///
/// ```swift
/// let store = try Store(path: stateDir + "/orkestron.db")
/// try store.append(events: events, jobStates: engine.takeDirtyJobStates())
/// let restore = try store.loadRestore()
/// ```
public final class Store: Sendable {
    /// The database file, or `:memory:`; named in every error.
    public let path: String
    let writer: any DatabaseWriter

    /// How long a connection waits for a lock held by another process (e.g. an `sqlite3` shell) before failing.
    static let busyTimeout: TimeInterval = 5

    /// Opens (creating when missing) the database at `path` and migrates it. The folder must exist.
    ///
    /// A file that is not a healthy SQLite database of this or an older schema is refused with a `StoreError`
    /// that says what is wrong, and is not modified: the history it may hold is never silently replaced.
    public init(path: String) throws(StoreError) {
        self.path = path
        try Self.inspectFile(at: path)
        try Self.preflight(path: path)
        do {
            writer = try DatabasePool(path: path, configuration: Self.configuration())
        } catch {
            throw Self.openError(error, path: path)
        }
        try migrate()
    }

    /// A store in memory, for tests: same schema and behaviour, nothing on disk.
    public static func inMemory() throws(StoreError) -> Store {
        let path = ":memory:"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw StoreError.cannotOpen(path: path, message: describe(error))
        }
        let store = Store(path: path, writer: queue)
        try store.migrate()
        return store
    }

    private init(path: String, writer: any DatabaseWriter) {
        self.path = path
        self.writer = writer
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "orkestron"
        configuration.busyMode = .timeout(busyTimeout)
        // No foreign keys: attempts and events name runs loosely, and `prune` deletes them in its own order.
        configuration.foreignKeysEnabled = false
        configuration.prepareDatabase { db in
            // In WAL mode, NORMAL syncs the WAL only at checkpoints, not at each commit. A committed transaction
            // is in the WAL file (in the OS page cache) when `write` returns, so a `kill -9` of the daemon loses
            // nothing acknowledged; only a power loss or kernel crash can lose the last commits, which FULL would
            // prevent at the price of one fsync per engine step.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if !db.configuration.readonly {
                // The writer keeps the growing end of every index hot: one per job in the per-job indexes (the
                // latest events and runs of each job). SQLite's default 2 MiB cache is soon too small for them
                // and each append then re-reads pages; 32 MiB is cheap for a daemon.
                try db.execute(sql: "PRAGMA cache_size = -32768")
                // A busy batch dirties a page per job in each per-job index, so the default checkpoint every
                // 1,000 WAL pages ran after nearly every batch, each time with two fsyncs. Every 8,192 pages
                // (32 MiB) lets a hot page be copied back once for many batches: measured twice the append
                // throughput on disk. The size limit trims the WAL file after a checkpoint that let it grow.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
                try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
            }
        }
        return configuration
    }

    private func migrate() throws(StoreError) {
        do {
            try StoreSchema.migrator.migrate(writer)
        } catch {
            throw StoreError.migrationFailed(path: path, message: Self.describe(error) + Self.spaceNote(error, path: path))
        }
    }

    /// Closes the database (on shutdown): SQLite checkpoints the WAL into the main file. Any later call fails.
    /// Releasing the store closes it too; this only makes the moment explicit and reports a failure.
    public func close() throws(StoreError) {
        do {
            try writer.close()
        } catch {
            throw wrap(error, "close")
        }
    }

    // MARK: - Access with errors in context

    /// Runs `body` in one write transaction; any failure becomes a `StoreError` naming `operation`.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write { db in try body(db) }
        } catch {
            throw wrap(error, operation)
        }
    }

    /// Runs `body` outside of any transaction, for work that commits in several steps (`prune`).
    func writeWithoutTransaction<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in try body(db) }
        } catch {
            throw wrap(error, operation)
        }
    }

    /// Runs `body` on a consistent snapshot of the last committed state.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read { db in try body(db) }
        } catch {
            throw wrap(error, operation)
        }
    }

    private func wrap(_ error: any Error, _ operation: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as DatabaseError:
            return .operationFailed(
                operation: operation, path: path, code: error.extendedResultCode.rawValue,
                message: error.message ?? "\(error)")
        case let error as CorruptRow:
            return .corruptRow(operation: operation, path: path, detail: error.detail)
        default:
            return .operationFailed(operation: operation, path: path, code: nil, message: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message.map { "\($0) (SQLite code \(error.extendedResultCode.rawValue))" } ?? "\(error)"
        }
        return "\(error)"
    }
}

/// A stored value the store cannot turn back into a model value (an unknown status, say); thrown inside
/// database closures and reported as `StoreError.corruptRow` with the operation and path.
struct CorruptRow: Error {
    var detail: String
}
