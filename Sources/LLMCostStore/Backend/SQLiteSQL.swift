import GRDB
import GRDBSQLite

/// The ledger's SQL on a SQLite connection (see `LedgerSQL`): GRDB's cached prepared
/// statements, bound and stepped through the raw API (`RawStatement`), as fast as the write
/// paths were before the boundary.
struct SQLiteSQL: LedgerSQL {
    let db: Database
    let path: String

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) -> Int {
        do {
            let statement = try RawStatement(db, sql)
            statement.bind(arguments)
            return try statement.run()
        } catch {
            throw Ledger.translate(error, path: path)
        }
    }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Void) throws {
        let statement: RawStatement
        do {
            statement = try RawStatement(db, sql)
        } catch {
            throw Ledger.translate(error, path: path)
        }
        statement.bind(arguments)
        try statement.forEachRow(body)
    }
}

extension Ledger {
    /// Runs `body` in a transaction of `kind` on whichever backend the ledger has.
    package func transaction<T>(_ kind: LedgerTransaction, _ body: (any LedgerSQL) throws -> T) throws -> T {
        switch storage {
        case .server(let server):
            return try server.transaction(kind, body)
        case .sqlite:
            let path = path
            switch kind {
            case .read: return try read { try body(SQLiteSQL(db: $0, path: path)) }
            case .write: return try write { try body(SQLiteSQL(db: $0, path: path)) }
            case .budgets, .settlement: return try immediateTransaction { try body(SQLiteSQL(db: $0, path: path)) }
            }
        }
    }

    /// The SQL differences the shared logic writes around.
    package var dialect: SQLDialect {
        switch storage {
        case .server(let server): server.dialect
        case .sqlite: .sqlite
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before the first
    /// read, so what `body` reads cannot change under it in another process.
    func immediateTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw LedgerError.sqlite(path: path, detail: "transaction returned nothing") }
                return result
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.translate(error, path: path)
        }
    }
}
