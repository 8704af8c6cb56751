import Foundation
import GRDB
import LLMCostCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite ledger: one file, WAL mode, safe for several processes at once.
///
/// Every metered call is one row in `calls`; `rollup_hourly` holds exact sums per UTC hour,
/// provider, model and agent, written in the same transaction, so reports stay instant as the
/// file grows. Writes are idempotent (see `DedupeKey`). The file is created with mode 0600: it
/// says who spent what.
public final class Ledger: Sendable {
    /// Options for opening a ledger.
    public struct Options: Sendable {
        /// How long to wait for another process's write lock before failing.
        public var busyTimeout: Duration = .seconds(5)
        /// SQLite page cache of the writing connection, in KiB: index inserts want a large one.
        /// Reading connections keep SQLite's small default, which scans faster.
        public var cacheSizeKiB: Int = 64 * 1024
        /// Whether a missing file is created. Commands that only read pass `false`, so a
        /// mistyped path is an error instead of a new, empty ledger.
        public var createIfMissing = true
        /// Open every connection read-only: reports never take the write lock, so a process
        /// holding it (an import, a shell) does not stop them. Implies `createIfMissing == false`;
        /// a ledger whose schema is behind is upgraded first through a short writable open.
        public var readOnly = false

        public init(busyTimeout: Duration = .seconds(5), cacheSizeKiB: Int = 64 * 1024, createIfMissing: Bool = true, readOnly: Bool = false) {
            self.busyTimeout = busyTimeout
            self.cacheSizeKiB = cacheSizeKiB
            self.createIfMissing = createIfMissing && !readOnly
            self.readOnly = readOnly
        }
    }

    /// The ledger file, or the server's URL without its password.
    public let path: String
    /// Where the rows are: a SQLite file (through GRDB), or a database server.
    enum Storage: Sendable {
        case sqlite(DatabasePool)
        case server(any LedgerServer)
    }
    let storage: Storage
    /// Committed name and tag-set ids, shared by write transactions.
    let knownNames = IDCache()
    let knownTagSets = IDCache()
    /// Runs the writing connection's WAL checkpoints in the background.
    let checkpointer: WALCheckpointer
    /// Wakes calls waiting for budget room when a reservation may have settled.
    let changes: LedgerChanges

    /// Opens (creating if needed and allowed) the ledger at `path` and brings its schema up to
    /// date. Refuses a SQLite file that belongs to another program.
    public init(path: String, options: Options = Options()) throws(LedgerError) {
        // A server URL is never a file name (it would become folders named after the host).
        if case .postgres(let server) = try LedgerLocation(path) {
            throw .invalidLocation(server.redacted, detail: "a server, not a file: open it with Ledger.at(LedgerLocation(...))")
        }
        self.path = path
        changes = LedgerChanges(ledgerPath: path)
        if options.createIfMissing && !options.readOnly {
            try Self.createFileIfMissing(path: path)
        } else if !FileManager.default.fileExists(atPath: path) {
            throw .missing(path: path)
        }
        if options.readOnly {
            do {
                storage = .sqlite(try Self.openReadOnly(path: path, options: options))
            } catch let error as LedgerError {
                throw error
            } catch {
                throw Self.translate(error, path: path)
            }
            checkpointer = WALCheckpointer(path: path) // never installed: nothing is written
            return
        }
        // Opening the pool switches the file to WAL mode: look at an existing file through a
        // read-only connection first, so another program's database is refused untouched.
        let busyMode = Self.busyMode(waiting: options.busyTimeout)
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 {
            do {
                var lookOnly = Configuration()
                lookOnly.readonly = true
                // Readers can meet a lock too (another process recovering or closing the WAL).
                lookOnly.busyMode = busyMode
                _ = try DatabaseQueue(path: path, configuration: lookOnly).read { try Self.checkOwnership($0, path: path) }
            } catch let error as LedgerError {
                throw error
            } catch {
                throw Self.translate(error, path: path)
            }
        }
        var configuration = Configuration()
        configuration.busyMode = busyMode
        let cacheSize = options.cacheSizeKiB
        let checkpointer = WALCheckpointer(path: path)
        self.checkpointer = checkpointer
        configuration.prepareDatabase { db in
            // Readers of a pool are opened read-only; only the writer gets the large cache.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -\(cacheSize); PRAGMA synchronous = NORMAL")
                checkpointer.install(on: db)
            }
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            storage = .sqlite(pool)
            let migrator = LedgerSchema.migrator
            let (stamped, upToDate) = try pool.read { db in
                let stamped = try Self.checkOwnership(db, path: path)
                if try migrator.hasBeenSuperseded(db) {
                    throw LedgerError.tooNew(path: path, detail: "its schema has migrations this version does not know")
                }
                return (stamped, try migrator.hasCompletedMigrations(db))
            }
            // An up-to-date ledger opens without the write lock, so a process that holds it
            // (an import) does not stop others from opening the file, or spooling their calls.
            if !upToDate { try Self.migrate(pool, with: migrator) }
            if !stamped {
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = \(LedgerSchema.applicationID)") }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// A pool of read-only connections on an up-to-date ledger (brought up to date first, by a
    /// writable open, when it is not).
    private static func openReadOnly(path: String, options: Options) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = true
        let timeout = options.busyTimeout
        configuration.busyMode = busyMode(waiting: timeout)
        let pool = try DatabasePool(path: path, configuration: configuration)
        let ready = try pool.read { db in
            let stamped = try checkOwnership(db, path: path)
            if try LedgerSchema.migrator.hasBeenSuperseded(db) {
                throw LedgerError.tooNew(path: path, detail: "its schema has migrations this version does not know")
            }
            return try stamped && LedgerSchema.migrator.hasCompletedMigrations(db)
        }
        if ready { return pool }
        var writable = options
        writable.readOnly = false
        writable.createIfMissing = false
        _ = try Ledger(path: path, options: writable)
        return pool
    }

    /// Waits for another connection's lock by trying again every 2 ms, up to `timeout`.
    ///
    /// SQLite's own busy timeout sleeps up to 100 ms between tries, so a writer waiting on a
    /// batched import (which leaves the lock free for a few milliseconds between batches) would
    /// almost never get in and would fail at its timeout instead.
    static func busyMode(waiting timeout: Duration) -> Database.BusyMode {
        let interval: UInt32 = 2_000 // µs
        let tries = Int(timeout.components.seconds * 500 + timeout.components.attoseconds / 2_000_000_000_000_000)
        return .callback { numberOfTries in
            guard numberOfTries < tries else { return false }
            usleep(interval)
            return true
        }
    }

    /// Whether the file is an llm-cost ledger: stamped with our application id (`true`), or
    /// unstamped and either empty or holding our tables from before the stamp existed (`false`:
    /// stamp it). Anything else is another program's database and is never written.
    private static func checkOwnership(_ db: Database, path: String) throws -> Bool {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if applicationID == LedgerSchema.applicationID { return true }
        if applicationID != 0 {
            throw LedgerError.foreign(
                path: path, detail: "its application_id is \(String(UInt32(bitPattern: applicationID), radix: 16)), not llm-cost's")
        }
        let tables = Set(try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        // Ours: written before the stamp existed, or being created right now by another
        // process (GRDB's bookkeeping table can appear before the first migration commits).
        if tables.isSuperset(of: ["grdb_migrations", "calls", "rollup_hourly"]) || tables.isSubset(of: ["grdb_migrations"]) {
            return false
        }
        let shown = tables.sorted().prefix(5).joined(separator: ", ")
        throw LedgerError.foreign(path: path, detail: "it holds other tables (\(shown))")
    }

    /// Brings the schema up to date, safely when several processes open a new (or older) file
    /// at once: GRDB reads which migrations ran before it takes the write lock, so a process
    /// can lose the race and find a table already created. It then reads again and goes on
    /// from where the winner left off.
    private static func migrate(_ pool: DatabasePool, with migrator: DatabaseMigrator) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                attempt += 1
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                guard attempt < 20 else { throw error }
                usleep(UInt32(5_000 * attempt))
            }
        }
    }

    /// The default ledger: `$LLM_COST_DB`, else `$XDG_DATA_HOME/llm-cost/ledger.sqlite`, else
    /// `~/.local/share/llm-cost/ledger.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["LLM_COST_DB"], !path.isEmpty { return path }
        return dataDirectory(environment: environment) + "/ledger.sqlite"
    }

    /// `$XDG_DATA_HOME/llm-cost`, else `~/.local/share/llm-cost`.
    public static func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/llm-cost" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/llm-cost"
    }

    /// A ledger on a database server (see `LedgerServer`); opened by the server's module.
    package init(server: any LedgerServer) {
        path = server.location
        storage = .server(server)
        changes = LedgerChanges(server: server)
        checkpointer = WALCheckpointer(path: "") // never installed: no file
    }

    /// The SQLite pool; a ledger on a server has none, and what still reads it directly is
    /// not available there yet.
    var pool: DatabasePool {
        get throws(LedgerError) {
            guard case .sqlite(let pool) = storage else {
                throw .server(path, detail: "internal: a SQLite connection was asked of a ledger on a server")
            }
            return pool
        }
    }

    /// Runs `body` in one write transaction (rolled back if it throws).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs `body` on a read snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    static func translate(_ error: any Error, path: String) -> LedgerError {
        guard let databaseError = error as? DatabaseError else {
            return .sqlite(path: path, detail: "\(error)")
        }
        let message = databaseError.message ?? "\(databaseError.resultCode)"
        switch databaseError.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notADatabase(path: path, detail: message)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .busy(path: path, detail: message)
        case .SQLITE_READONLY, .SQLITE_PERM:
            return .readOnly(path: path, detail: message)
        case .SQLITE_CANTOPEN:
            return .cannotCreate(path: path, detail: message)
        default:
            return .sqlite(path: path, detail: message)
        }
    }

    /// Creates the file (and its folder) with owner-only permissions before SQLite opens it,
    /// so the ledger is never world-readable, even for a moment.
    private static func createFileIfMissing(path: String) throws(LedgerError) {
        if FileManager.default.fileExists(atPath: path) { return }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotCreate(path: path, detail: "\(error.localizedDescription)")
            }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw .cannotCreate(path: path, detail: String(cString: strerror(errno)))
        }
        close(descriptor)
    }
}
