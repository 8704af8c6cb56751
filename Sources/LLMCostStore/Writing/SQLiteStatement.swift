import GRDB
import LLMCostCore
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

    /// Binds `values` to the placeholders in order.
    func bind(_ values: [SQLValue]) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .integer(let integer): sqlite3_bind_int64(handle, index, integer)
            case .real(let real): sqlite3_bind_double(handle, index, real)
            case .text(let text): bind(index, text)
            case .blob(let bytes): bindBlob(index, bytes)
            case .array(let array): bind(index, Self.json(array))
            }
        }
    }

    /// An array argument as SQLite reads it: a JSON array (`json_each`), blobs in hex.
    static func json(_ array: SQLArray) -> String {
        var json = JSONWriter()
        json.raw("[")
        func separate(_ index: Int) { if index > 0 { json.raw(",") } }
        switch array {
        case .integers(let values):
            for (index, value) in values.enumerated() {
                separate(index)
                if let value { json.integer(value) } else { json.raw("null") }
            }
        case .texts(let values):
            for (index, value) in values.enumerated() {
                separate(index)
                if let value { json.string(value) } else { json.raw("null") }
            }
        case .blobs(let values):
            for (index, value) in values.enumerated() {
                separate(index)
                if let value { json.string(value.map { String(format: "%02x", $0) }.joined()) } else { json.raw("null") }
            }
        }
        json.raw("]")
        return json.text
    }

    /// Steps through every row, handing each to `body` as plain values.
    func forEachRow(_ body: (SQLRow) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        let count = sqlite3_column_count(handle)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw currentError(code) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(handle, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, column)))
                case SQLITE_TEXT:
                    let bytes = sqlite3_column_text(handle, column)
                    let length = Int(sqlite3_column_bytes(handle, column))
                    values.append(.text(bytes.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""))
                case SQLITE_BLOB:
                    let length = Int(sqlite3_column_bytes(handle, column))
                    let pointer = sqlite3_column_blob(handle, column)
                    values.append(.blob(pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []))
                default: values.append(.null)
                }
            }
            try body(SQLRow(values))
        }
    }

    private func currentError(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
    }
}
