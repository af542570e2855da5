import GRDB
import GRDBSQLite

/// Binds positional arguments straight into a cached GRDB statement's SQLite handle, then lets GRDB execute it.
///
/// `append` runs two or three statements per event. Building a `StatementArguments` for each (an array of
/// existentials, mapped to `DatabaseValue`s, then bound one by one) cost about two thirds of SQLite's own work
/// (measured with callgrind), so the hot path uses GRDB's documented escape hatch, `Statement.sqliteStatement` ("Raw SQLite Pointers" in
/// GRDB's README). The statement is primed once per transaction with `setUncheckedArguments`, which tells GRDB
/// its arguments are bound; every use then rebinds ALL parameters through this binder before `execute()`,
/// which only resets and steps the statement, through GRDB, so its transaction bookkeeping stays intact (and a
/// statement that fails is dropped from GRDB's cache as usual).
///
/// `GRDBSQLite` is GRDB's own system-library module for the SQLite C API (`libsqlite3-dev` on Linux).
struct StatementBinder {
    /// SQLite's `SQLITE_TRANSIENT`: copy strings when binding (the macro does not import into Swift).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private let handle: SQLiteStatement
    private var index: CInt = 0
    /// The first error a bind returned (SQLITE_RANGE, SQLITE_NOMEM, SQLITE_TOOBIG).
    private var failure: CInt = SQLITE_OK

    /// Marks `statement` as having its arguments bound (all NULL), so that `execute()` takes the bindings as
    /// they are instead of validating an empty argument list.
    static func prime(_ statement: Statement) {
        let count = Int(sqlite3_bind_parameter_count(statement.sqliteStatement))
        statement.setUncheckedArguments(
            StatementArguments(Array(repeating: nil as (any DatabaseValueConvertible)?, count: count)))
    }

    /// Binds the statement's parameters with `bind`, in order, then executes it.
    static func execute(_ statement: Statement, _ bind: (inout StatementBinder) -> Void) throws {
        var binder = StatementBinder(handle: statement.sqliteStatement)
        // A statement that has run must be reset before it can be bound again.
        sqlite3_reset(binder.handle)
        bind(&binder)
        guard binder.failure == SQLITE_OK else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: binder.failure), message: "cannot bind an argument",
                sql: statement.sql)
        }
        let expected = sqlite3_bind_parameter_count(binder.handle)
        guard binder.index == expected else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE, message: "bound \(binder.index) of \(expected) arguments",
                sql: statement.sql)
        }
        try statement.execute()
    }

    private init(handle: SQLiteStatement) {
        self.handle = handle
    }

    private mutating func check(_ code: CInt) {
        if code != SQLITE_OK && failure == SQLITE_OK { failure = code }
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        check(value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    mutating func bind(_ value: Int?) {
        bind(value.map(Int64.init))
    }

    mutating func bind(_ value: Int32?) {
        bind(value.map(Int64.init))
    }

    mutating func bind(_ value: Bool) {
        bind(Int64(value ? 1 : 0))
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var text = value else {
            check(sqlite3_bind_null(handle, index))
            return
        }
        let code = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // An empty buffer may have no address; bind it as a C "" so it stays '' and not NULL.
                guard let base = chars.baseAddress else {
                    return sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
                return sqlite3_bind_text(handle, index, base, CInt(chars.count), Self.transient)
            }
        }
        check(code)
    }
}
