/// A value bound to, or read from, a statement, in the ledger's own terms: money and counts
/// are integers, names are text. No backend-specific type crosses the boundary.
package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One row of a result, its columns in the order of the statement's select list.
package struct SQLRow: Sendable, Hashable {
    package var values: [SQLValue]

    package init(_ values: [SQLValue]) { self.values = values }

    package var count: Int { values.count }

    /// The integer in `column`; `nil` for NULL (or a value of another kind).
    package func integer(_ column: Int) -> Int64? {
        guard case .integer(let value) = values[column] else { return nil }
        return value
    }

    /// The text in `column`; `nil` for NULL (or a value of another kind).
    package func text(_ column: Int) -> String? {
        guard case .text(let value) = values[column] else { return nil }
        return value
    }
}

/// A connection, inside a transaction, that the ledger's logic runs its SQL on.
///
/// The boundary between the ledger and its backends (SQLite through GRDB, PostgreSQL through
/// postgres-nio): the logic above it is written once, each backend owns its connections and
/// its dialect. Requirements:
/// - Statements are written with `?` placeholders, bound in order; a backend rewrites them to
///   its own (`$1`, `$2`, … on PostgreSQL).
/// - Every call runs inside the transaction the backend opened for the caller: what `body`
///   wrote is visible to its later statements, and is committed or rolled back as a whole.
/// - Errors are `LedgerError`s naming the ledger, never holding a password.
package protocol LedgerSQL {
    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) -> Int

    /// Runs a query and hands each row to `body`, in order.
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Void) throws
}

extension LedgerSQL {
    /// Every row of a query.
    package func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEachRow(sql, arguments) { rows.append($0) }
        return rows
    }

    /// The first row of a query, if any.
    package func firstRow(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }
}
