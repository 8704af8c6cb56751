import GRDB
import GRDBSQLite

/// One of GRDB's cached prepared statements, bound and stepped through the raw SQLite API:
/// the write paths run once per call, and GRDB's argument boxing costs more than the insert
/// itself at hundreds of thousands of rows a second. GRDB still owns (and finalizes) the
/// statement. Use only inside the transaction closure that made it.
struct RawStatement {
    private let connection: OpaquePointer
    private let handle: OpaquePointer
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "connection is closed")
        }
        let statement = try db.cachedStatement(sql: sql)
        self.connection = connection
        self.handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        var text = value
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    _ = sqlite3_bind_text(handle, index, base, Int32(chars.count), Self.transient)
                } else {
                    // An empty string may have no buffer; SQLite still needs a pointer.
                    _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        }
    }

    func bindBlob(_ index: Int32, _ pair: (UInt64, UInt64)) {
        var bytes = (pair.0.bigEndian, pair.1.bigEndian)
        withUnsafeBytes(of: &bytes) { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress, 16, Self.transient)
        }
    }

    func bindBlob(_ index: Int32, _ bytes: [UInt8]?) {
        guard let bytes else {
            sqlite3_bind_null(handle, index)
            return
        }
        bytes.withUnsafeBytes { raw in
            // A zero-length blob still needs a pointer, else SQLite stores NULL.
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    /// Runs the statement to completion; returns the number of rows it changed.
    @discardableResult
    func run() throws -> Int {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw currentError(code) }
        return Int(sqlite3_changes(connection))
    }

    /// Steps once and returns the first column as an integer, or `nil` when there is no row.
    func firstInteger() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return sqlite3_column_int64(handle, 0) }
        guard code == SQLITE_DONE else { throw currentError(code) }
        return nil
    }

    /// Steps once and returns the first `count` columns as integers (`nil` for NULL), or `nil`
    /// when there is no row.
    func firstRow(columns count: Int32) throws -> [Int64?]? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW {
            return (0..<count).map { column in
                sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
            }
        }
        guard code == SQLITE_DONE else { throw currentError(code) }
        return nil
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    private func currentError(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
    }
}
