import Foundation
import LLMCostStore

/// Opens a ledger on a PostgreSQL server: the same `Ledger`, the same logic, rows on the server.
///
/// ```swift
/// let location = try PostgresLocation(url: "postgres://team@db.internal/llm_cost")
/// let ledger = try PostgresLedger.open(location)
/// ```
///
/// The schema is brought up to date first (under an advisory lock: hosts may start at once).
/// Budget transactions lock the budgets' rows in name order, so one `[[budgets]]` holds across
/// every host writing to the database.
public enum PostgresLedger {
    /// Connects (password from `PostgresPassword`: `passwordVariable`, `PGPASSWORD`, `~/.pgpass`,
    /// or the URL), migrates, and returns the ledger. Warnings (a password file others can
    /// read) go to `warn`.
    public static func open(
        _ location: PostgresLocation, passwordVariable: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        warn: (String) -> Void = { _ in }
    ) throws -> Ledger {
        let password = try PostgresPassword(for: location, variable: passwordVariable, environment: environment)
        password.warnings.forEach(warn)
        return try open(location, password: password.password)
    }

    /// Lets `Ledger.at` (and with it the configuration's `ledger.path` and the commands'
    /// `--db`) open `postgres://` locations. Call once at start.
    public static func register() {
        Ledger.registerServerBackend { location, variable, warn in
            try open(location, passwordVariable: variable, warn: warn)
        }
    }

    /// Connects with `password`, migrates, and returns the ledger.
    package static func open(_ location: PostgresLocation, password: String?, options: PostgresServer.Options = .init()) throws -> Ledger {
        let server = try PostgresServer(location: location, password: password, options: options)
        try PostgresSchema.migrate(server)
        return Ledger(server: PostgresLedgerServer(server: server))
    }
}

/// The ledger's backend on PostgreSQL (see `LedgerServer`).
struct PostgresLedgerServer: LedgerServer {
    let server: PostgresServer

    var location: String { server.location.redacted }
    var dialect: SQLDialect { .postgres }

    func transaction<T>(_ kind: LedgerTransaction, _ body: (any LedgerSQL) throws -> T) throws -> T {
        // Reads see one snapshot across their statements, as SQLite's do.
        let begin = if case .read = kind { "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" } else { "BEGIN" }
        return try server.transaction(begin: begin) { sql in
            if case .budgets(let names) = kind {
                // Every transaction that checks or moves a budget's amounts holds its row until
                // commit; taken in name order, so two hosts never wait on each other in a cycle.
                // One statement per budget: the upsert creates the row the first time and locks it
                // (an `ON CONFLICT DO UPDATE` takes the row's lock) every time.
                for name in Set(names).sorted() {
                    try sql.execute(
                        "INSERT INTO budget_locks (budget) VALUES (?) ON CONFLICT (budget) DO UPDATE SET budget = excluded.budget",
                        [.text(name)])
                }
            }
            return try body(sql)
        }
    }

    func watchChanges(_ onChange: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        let listening = server.listen(on: SQLDialect.changeChannel, onChange)
        return { listening.cancel() }
    }
}
