/// A value bound to, or read from, a statement, in the ledger's own terms: money and counts
/// are integers, names are text. No backend-specific type crosses the boundary.
package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    /// Many values as one: a column of rows to insert with `unnest`, or a set to match with
    /// `isOneOf`. PostgreSQL takes it as an array (binary); SQLite as a JSON array (text), for
    /// `json_each`.
    case array(SQLArray)

    /// An integer, or NULL.
    package static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }
    /// Text, or NULL.
    package static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
}

/// The values of an array argument, all of one type (see `SQLValue.array`).
package enum SQLArray: Sendable, Hashable {
    case integers([Int64?])
    case texts([String?])
    case blobs([[UInt8]?])

    /// The values of one kind taken from `values` (`.integer`, `.text` or `.blob`, else NULL).
    package static func integers(of values: some Sequence<SQLValue>) -> SQLArray {
        .integers(values.map { if case .integer(let value) = $0 { value } else { nil } })
    }
    package static func texts(of values: some Sequence<SQLValue>) -> SQLArray {
        .texts(values.map { if case .text(let value) = $0 { value } else { nil } })
    }
    package static func blobs(of values: some Sequence<SQLValue>) -> SQLArray {
        .blobs(values.map { if case .blob(let value) = $0 { value } else { nil } })
    }
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

    /// Runs a statement whose result nobody reads. A backend may send it without waiting for
    /// the answer (a round trip saved on a server): its error then surfaces at the next
    /// statement waited for, or at the commit, which then fails.
    func executeDeferred(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError)

    /// Sends a query whose rows are read later, with `PendingRows.rows()`: a backend on a
    /// server runs it while the caller goes on (building the next statement). Statements run
    /// in the order sent; read the rows before the transaction ends.
    func submit(_ sql: String, _ arguments: [SQLValue]) throws -> PendingRows
}

/// The rows of a query sent with `LedgerSQL.submit`, read when needed.
package struct PendingRows {
    private let wait: () throws -> [SQLRow]

    package init(_ wait: @escaping () throws -> [SQLRow]) { self.wait = wait }

    /// Waits for the query's answer; throws its error.
    package func rows() throws -> [SQLRow] { try wait() }
}

extension LedgerSQL {
    package func executeDeferred(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) {
        _ = try execute(sql, arguments)
    }

    /// Runs the query at once: nothing to overlap with on an embedded database.
    package func submit(_ sql: String, _ arguments: [SQLValue]) throws -> PendingRows {
        let answer = try rows(sql, arguments)
        return PendingRows { answer }
    }

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

/// What a transaction is for, so a backend can take the locks it needs.
package enum LedgerTransaction: Sendable {
    /// Reads only.
    case read
    /// Writes calls (and their rollups) or other rows.
    case write
    /// Checks these budgets and reserves against them: the backend makes such transactions on
    /// a same budget take turns, from the first read to the commit. SQLite takes its write
    /// lock at `BEGIN IMMEDIATE`; PostgreSQL locks the budgets' rows in name order, so budgets
    /// that do not overlap go on in parallel.
    case budgets([String])
    /// Moves amounts between reserved and spent (settle, release, renew). Readers see it whole
    /// (they read spend and reservations in one statement), so on PostgreSQL it takes no
    /// budget lock; SQLite still takes its write lock at `BEGIN IMMEDIATE`.
    case settlement
}

/// The differences in SQL between the backends that the shared logic writes around.
package enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The scalar smaller and greater of two values (`MIN(a, b)` in SQLite, `LEAST` in PostgreSQL).
    package var least: String { self == .sqlite ? "MIN" : "LEAST" }
    package var greatest: String { self == .sqlite ? "MAX" : "GREATEST" }

    /// The statement a settlement or release runs so that other hosts' waiters re-check at
    /// once: `NOTIFY`, delivered when the transaction commits (see `LedgerServer.watchChanges`).
    /// None in SQLite, whose other processes see the write-ahead log change.
    package var changeNotice: String? { self == .postgres ? "NOTIFY \(Self.changeChannel)" : nil }

    /// The channel of `changeNotice`.
    package static let changeChannel = "llm_cost_changes"

    /// `INDEXED BY index` in SQLite, where a plan that must walk an index says so (and fails
    /// loudly without it); nothing in PostgreSQL, whose planner takes no such hint.
    package func indexedBy(_ index: String) -> String { self == .sqlite ? "INDEXED BY \(index)" : "" }

    /// `floor(column / divisor)` in integers (`/` truncates toward zero in both): raw-row time
    /// buckets must match the rollups' for times before 1970 too.
    package func floorDiv(_ column: String, _ divisor: Int64) -> String {
        switch self {
        case .sqlite: "(\(column) / \(divisor) - (\(column) % \(divisor) < 0))"
        case .postgres: "((\(column) - ((\(column) % \(divisor) + \(divisor)) % \(divisor))) / \(divisor))"
        }
    }

    /// `column` is one of `values`, as a condition with one array argument (a JSON array read
    /// by `json_each` in SQLite), so the statement's text, and its cached plan, does not change
    /// with the number of values.
    package func isOneOf(_ column: String, _ values: some Sequence<Int64>) -> (condition: String, argument: SQLValue) {
        let argument = SQLValue.array(.integers(values.map { $0 }))
        switch self {
        case .sqlite: return ("\(column) IN (SELECT value FROM json_each(?))", argument)
        case .postgres: return ("\(column) = ANY(?)", argument)
        }
    }
}

/// A ledger on a database server: the backend that `Ledger(server:)` runs on. Implemented
/// outside this module (LLMCostPostgres), so the store itself needs no server client.
///
/// Requirements: `transaction` runs `body` in one transaction and commits it when `body`
/// returns, rolls it back when it throws; errors are `LedgerError`s with `location`, never a
/// password. `location` is safe to print.
package protocol LedgerServer: Sendable {
    var location: String { get }
    var dialect: SQLDialect { get }
    func transaction<T>(_ kind: LedgerTransaction, _ body: (any LedgerSQL) throws -> T) throws -> T

    /// Calls `onChange` whenever another connection commits a `SQLDialect.changeNotice` (a
    /// settlement or release: budget room may have opened), from the first call until the
    /// returned stop is called; also once whenever the watch (re)starts, since notices sent
    /// while it was down are lost. `nil` when the backend cannot watch: waiters re-check on
    /// their interval. A hint to re-check, never a promise.
    func watchChanges(_ onChange: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)?
}

extension LedgerServer {
    package func watchChanges(_ onChange: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? { nil }
}
