import Foundation
import GRDB

/// The checks that refuse a damaged or foreign database file at start, before anything writes to it.
///
/// SQLite alone would treat some damage lazily (a truncated file reads as zeroed pages only when a query reaches
/// them) and would turn an empty history into a fresh schema without a word; a scheduler that then runs on
/// half its history, or resets it, breaks the promise that nothing acknowledged is lost. So the daemon looks
/// first, says what it found and where, and leaves the file as it was.
extension Store {
    /// The 16 bytes every SQLite 3 database file starts with.
    static let sqliteHeader = Array("SQLite format 3\u{0}".utf8)

    /// Checks the file's header before SQLite opens it: that it is an SQLite database, and that it is as long
    /// as its header says. A missing or empty file is a new database.
    static func inspectFile(at path: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // missing: SQLite creates it
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        guard !header.isEmpty else { return }
        guard header.count == 100, Array(header[0..<16]) == sqliteHeader else {
            throw .damaged(path: path, problem: "is not an SQLite database (it does not start with the SQLite header)")
        }
        func bigEndian(_ range: Range<Int>) -> Int { range.reduce(0) { $0 << 8 | Int(header[$1]) } }
        let rawPageSize = bigEndian(16..<18)
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        guard pageSize >= 512, pageSize & (pageSize - 1) == 0 else {
            throw .damaged(path: path, problem: "has a damaged header (page size \(rawPageSize))")
        }
        // The header's page count is valid when its change counter matches "version-valid-for" (offset 92).
        // With a WAL beside the file, the WAL may hold pages a checkpoint has not copied yet, so only a file
        // without one can be judged by its length.
        let pageCount = bigEndian(28..<32)
        guard pageCount > 0, bigEndian(24..<28) == bigEndian(92..<96), !hasWAL(path) else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size < pageCount * pageSize {
            throw .damaged(
                path: path,
                problem: "is truncated: its header declares \(pageCount) pages of \(pageSize) bytes "
                    + "(\(pageCount * pageSize) bytes) but the file has \(size) bytes")
        }
    }

    private static func hasWAL(_ path: String) -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        return size > 0
    }

    /// Checks an existing database through a read-only connection, before the writer opens it (which switches
    /// it to WAL and would change its header): every page readable, no schema from a newer version.
    static func preflight(path: String) throws(StoreError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        let reader: DatabaseQueue
        do {
            reader = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw openError(error, path: path)
        }
        defer { try? reader.close() }
        try checkIntegrity(reader, path: path)
        try checkSchemaIsKnown(reader, path: path)
    }

    /// When a write failed for want of space, what the file system has left; else nothing. SQLite reports a
    /// full disk as "database or disk is full" on a write, but as a bare I/O error when it cannot even size
    /// its shared-memory file.
    static func spaceNote(_ error: any Error, path: String) -> String {
        guard let error = error as? DatabaseError, [.SQLITE_FULL, .SQLITE_IOERR].contains(error.resultCode) else {
            return ""
        }
        var info = statvfs()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard statvfs(folder, &info) == 0 else { return "" }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        return free < 1 << 20 ? "; the file system holding it is full (\(free) bytes free)" : ""
    }

    /// An error of opening, told as what it means for the operator.
    static func openError(_ error: any Error, path: String) -> StoreError {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB:
                return .damaged(path: path, problem: "is not an SQLite database, or its header is damaged")
            case .SQLITE_CORRUPT:
                return .damaged(path: path, problem: "is corrupted (\(describe(error)))")
            default:
                break
            }
        }
        return .cannotOpen(path: path, message: describe(error) + spaceNote(error, path: path))
    }

    /// SQLite's `quick_check`: every page readable and every b-tree well formed. It reads the whole file once
    /// (a fraction of a second for a typical history) and is the only way to find damage that queries at start
    /// would not reach.
    static func checkIntegrity(_ reader: any DatabaseReader, path: String) throws(StoreError) {
        let problems: [String]
        do {
            problems = try reader.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
        } catch {
            throw openError(error, path: path)
        }
        guard problems != ["ok"] else { return }
        throw .damaged(path: path, problem: "is corrupted: " + problems.joined(separator: "; "))
    }

    /// Refuses a database that has migrations this version does not know: a newer orkestrond wrote it, and
    /// writing to it with the old schema could lose what the new one keeps.
    static func checkSchemaIsKnown(_ reader: any DatabaseReader, path: String) throws(StoreError) {
        let migrator = StoreSchema.migrator
        let applied: Set<String>
        let version: String?
        do {
            (applied, version) = try reader.read { db in
                let applied = try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
                let version =
                    try db.tableExists("meta")
                    ? try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'") : nil
                return (applied, version)
            }
        } catch {
            throw openError(error, path: path)
        }
        let unknown = applied.subtracting(migrator.migrations).sorted()
        if !unknown.isEmpty {
            throw .newerSchema(path: path, detail: "its schema has migrations this version does not know: \(unknown.joined(separator: ", "))")
        }
        if let version, let number = Int(version), number > StoreSchema.version {
            throw .newerSchema(path: path, detail: "schema version \(number); this version knows up to \(StoreSchema.version)")
        }
    }
}
