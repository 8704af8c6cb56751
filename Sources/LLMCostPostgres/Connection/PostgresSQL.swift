import Foundation
import LLMCostStore
import PostgresNIO
import Synchronization

/// The ledger's SQL on one PostgreSQL connection inside a transaction (see `LedgerSQL`).
struct PostgresSQL: LedgerSQL {
    let connection: PostgresConnection
    let server: PostgresServer
    /// Statements sent without waiting (`executeDeferred`), checked at the commit.
    let deferred = DeferredStatements()

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) -> Int {
        do {
            return try run(sql, arguments).metadata.rows ?? 0
        } catch let error as LedgerError {
            throw error
        } catch {
            throw PostgresServer.translate(error, location: server.location)
        }
    }

    /// Commits; `false` when the server rolled the transaction back instead (an earlier
    /// statement sent without waiting failed).
    func commit() throws -> Bool {
        do {
            return try run("COMMIT", []).metadata.command != "ROLLBACK"
        } catch let error as LedgerError {
            throw error
        } catch {
            throw PostgresServer.translate(error, location: server.location)
        }
    }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Void) throws {
        let result: PostgresQueryResult
        do {
            result = try run(sql, arguments)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw PostgresServer.translate(error, location: server.location)
        }
        for row in result.rows {
            try body(SQLRow(row.map(Self.value)))
        }
    }

    func submit(_ sql: String, _ arguments: [SQLValue]) throws -> PendingRows {
        let answer = try start(sql, arguments)
        // Checked at the commit too: a failure is reported as itself, whether or not its rows
        // are read before.
        deferred.append(answer.future)
        let server = server
        return PendingRows {
            do {
                return try Self.finish(answer, server: server).rows.map { SQLRow($0.map(Self.value)) }
            } catch let error as LedgerError {
                throw error
            } catch {
                throw PostgresServer.translate(error, location: server.location)
            }
        }
    }

    func executeDeferred(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) {
        let query = try Self.query(sql, arguments)
        let future: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: PostgresServer.logger)
        deferred.append(future)
    }

    /// The first error of a statement sent without waiting, if one failed (all have answered
    /// once a later statement has).
    func deferredFailure() -> LedgerError? {
        for future in deferred.take() {
            do {
                _ = try future.wait()
            } catch {
                return PostgresServer.translate(error, location: server.location)
            }
        }
        return nil
    }

    /// Sends a statement without waiting for its answer: the connection runs statements in
    /// order, so the next one waited for answers after it (and fails if it could not run).
    /// Saves a round trip for `BEGIN`.
    func send(_ statement: String) {
        let future: EventLoopFuture<PostgresQueryResult> = connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresServer.logger)
        future.whenComplete { _ in }
    }

    /// The statement's rows and what it did (how many rows it changed).
    ///
    /// Waits on the future itself, on the caller's thread (never an event loop's: the ledger is
    /// not called from the connection's loop): one hand-off to the loop and one back, where a
    /// task per statement cost several more. The server enforces the statement timeout; past
    /// it and a margin, the server is taken as gone and the connection closed (failing the
    /// wait), so the pool never hands out a connection still busy with an abandoned statement.
    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        try Self.finish(try start(sql, arguments), server: server)
    }

    /// A statement sent, and the watchdog that gives up on its answer.
    final class Answer: Sendable {
        let future: EventLoopFuture<PostgresQueryResult>
        let timedOut = Atomic<Bool>(false)
        let limit: Duration
        private let watchdog = Mutex<Scheduled<Void>?>(nil)

        init(_ query: PostgresQuery, on connection: PostgresConnection, limit: Duration) {
            self.limit = limit
            future = connection.query(query, logger: PostgresServer.logger)
            let scheduled = connection.eventLoop.scheduleTask(in: .nanoseconds(limit.nanoseconds)) { [weak self] in
                guard let self else { return }
                self.timedOut.store(true, ordering: .relaxed)
                connection.close().whenComplete { _ in }
            }
            watchdog.withLock { $0 = scheduled }
        }

        // An answer never waited for (its transaction failed first) leaves no watchdog behind.
        deinit { cancelWatchdog() }

        func cancelWatchdog() { watchdog.withLock { $0?.cancel() } }
    }

    /// Sends a statement; `finish` waits for its answer.
    private func start(_ sql: String, _ arguments: [SQLValue]) throws -> Answer {
        Answer(try Self.query(sql, arguments), on: connection, limit: server.options.statementTimeout + .seconds(5))
    }

    /// Waits for a statement's answer on the caller's thread (see `run`).
    private static func finish(_ answer: Answer, server: PostgresServer) throws -> PostgresQueryResult {
        defer { answer.cancelWatchdog() }
        do {
            return try answer.future.wait()
        } catch {
            if answer.timedOut.load(ordering: .relaxed) {
                throw LedgerError.timedOut(server.location.redacted, detail: "no answer to a statement within \(answer.limit)")
            }
            throw error
        }
    }

    /// `sql` with its `?` placeholders numbered (`$1`, `$2`, …) and `arguments` bound.
    static func query(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .array(let array): bindings.append(BinaryArray(array: array))
            }
        }
        let numbered = numberingPlaceholders(sql)
        guard numbered.count == arguments.count else {
            throw .server("", detail: "internal: a statement has \(numbered.count) placeholders and \(arguments.count) arguments")
        }
        return PostgresQuery(unsafeSQL: numbered.sql, binds: bindings)
    }

    /// Rewrites `?` outside quotes and comments to `$1`, `$2`, …; returns how many there were.
    static func numberingPlaceholders(_ sql: String) -> (sql: String, count: Int) {
        var output: [UInt8] = []
        output.reserveCapacity(sql.utf8.count + 16)
        var count = 0
        var quote: UInt8?
        var lineComment = false
        var previous: UInt8 = 0
        for byte in sql.utf8 {
            if lineComment {
                if byte == UInt8(ascii: "\n") { lineComment = false }
            } else if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "-") && previous == UInt8(ascii: "-") {
                lineComment = true
            } else if byte == UInt8(ascii: "?") {
                count += 1
                output.append(UInt8(ascii: "$"))
                output.append(contentsOf: Array(String(count).utf8))
                previous = byte
                continue
            }
            output.append(byte)
            previous = byte
        }
        return (String(decoding: output, as: UTF8.self), count)
    }

    /// A cell in the ledger's terms: integers (and booleans) as integers, money never a float.
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .bool:
            return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .bytea:
            return (try? cell.decode(ByteBuffer.self)).map { .blob(Array($0.readableBytesView)) } ?? .null
        case .numeric:
            // SUM of bigints is a numeric: an integer when it fits, as SQLite's would be.
            // Decimal holds 38 digits exactly; its description is the plain integer.
            guard let decimal = try? cell.decode(Decimal.self) else { return .null }
            let text = decimal.description
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        default:
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

/// Statements of one transaction sent without waiting for their answers.
final class DeferredStatements: Sendable {
    private let futures = Mutex<[EventLoopFuture<PostgresQueryResult>]>([])

    func append(_ future: EventLoopFuture<PostgresQueryResult>) {
        futures.withLock { $0.append(future) }
    }

    func take() -> [EventLoopFuture<PostgresQueryResult>] {
        futures.withLock { futures in
            defer { futures.removeAll() }
            return futures
        }
    }
}
