import Foundation
import LLMCostStore
import LLMCostTestSupport
import Synchronization
import Testing
@testable import LLMCostPostgres

/// Connections to a real server: clear errors that never hold the password, timeouts, the
/// synchronous bridge under Swift concurrency, and migrations racing from many hosts.
@Suite struct PostgresServerTests {
    @Test func aServerThatIsDownIsNamedAndUnreachable() throws {
        // A loopback port nobody listens on.
        let port = try freePort()
        let location = try PostgresLocation(url: "postgres://someone:s3cr3t-in-url@127.0.0.1:\(port)/ledger")
        let error = try #require(throws: LedgerError.self) {
            _ = try PostgresServer(location: location, password: "s3cr3t-in-url")
        }
        #expect(error.isUnreachable)
        #expect(error.description.contains("127.0.0.1:\(port), database ledger"), "\(error)")
        #expect(!error.description.contains("s3cr3t"), "\(error)")
    }

    @Test func aWrongPasswordIsARefusedLoginWithoutThePassword() throws {
        let (url, _) = try TestServer.server.get()
        let location = try PostgresLocation(url: url)
        let error = try #require(throws: LedgerError.self) {
            _ = try PostgresServer(location: location, password: "wrong-Pa55word")
        }
        #expect(error.description.contains("refused the login"), "\(error)")
        #expect(error.description.contains("database postgres"), "\(error)")
        #expect(!error.description.contains("wrong-Pa55word"), "\(error)")
    }

    @Test func aMissingDatabaseIsNamed() throws {
        let (url, password) = try TestServer.server.get()
        var location = try PostgresLocation(url: url)
        location.database = "no_such_ledger"
        let error = try #require(throws: LedgerError.self) {
            _ = try PostgresServer(location: location, password: password)
        }
        #expect(error.description.contains("no such database"), "\(error)")
        #expect(error.description.contains("no_such_ledger"), "\(error)")
    }

    @Test func statementsBindValuesAndReadThemBackExactly() throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let server = try database.connect()
        defer { server.shutdown() }
        let row = try server.transaction { sql in
            try sql.firstRow(
                "SELECT ?::bigint, ?::text, ?::bigint IS NULL, '?' AS literal, ?::bytea",
                [.integer(Int64.max), .text("naïve ' \" ?"), .null, .blob([0, 255, 7])])
        }
        #expect(row?.values == [.integer(Int64.max), .text("naïve ' \" ?"), .integer(1), .text("?"), .blob([0, 255, 7])])
    }

    /// The arrays bulk inserts bind: every value comes back as it went, in order, whatever
    /// its characters (quotes, backslashes, commas, braces, the word NULL, emoji), NULLs and
    /// empty arrays included.
    @Test func arraysCarryEveryValueExactly() throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let server = try database.connect()
        defer { server.shutdown() }
        let arrays: [SQLArray] = [
            .texts(["plain", "", "NULL", nil, #"a "quoted" \ back\slash"#, "{braces},commas", " spaces ", "naïve ☃ 🚀", "\t\n"]),
            .integers([0, -1, Int64.min, Int64.max, nil, 42]),
            .blobs([Array(0...255), [], nil, [0x5C, 0x22]]),
            .texts([]), .integers([]), .integers([nil]),
        ]
        try server.transaction { sql in
            for array in arrays {
                let rows = try sql.rows("SELECT v FROM unnest(?) WITH ORDINALITY AS a(v, n) ORDER BY n", [.array(array)])
                let values = rows.map { $0.values[0] }
                switch array {
                case .texts(let expected): #expect(values == expected.map { .optional($0) })
                case .integers(let expected): #expect(values == expected.map { .optional($0) })
                case .blobs(let expected): #expect(values == expected.map { $0.map(SQLValue.blob) ?? .null })
                }
            }
            let matched = try sql.firstRow("SELECT count(*) FROM generate_series(1, 10) g WHERE g = ANY(?)", [.array(.integers([2, 3, 99]))])
            #expect(matched?.integer(0) == 2)
        }
    }

    @Test func aFailedTransactionLeavesNothing() throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let server = try database.connect()
        defer { server.shutdown() }
        _ = try server.transaction { try $0.execute("CREATE TABLE public.t (v bigint)", []) }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try server.transaction { sql in
                try sql.execute("INSERT INTO public.t VALUES (1)", [])
                throw Abort()
            }
        }
        #expect(try server.transaction { try $0.firstRow("SELECT count(*) FROM public.t")?.integer(0) } == 0)
    }

    /// A statement sent without waiting that fails takes its transaction down with it, with
    /// its own error, though nothing waited for its answer.
    @Test func aDeferredStatementThatFailsFailsItsTransaction() throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let server = try database.connect()
        defer { server.shutdown() }
        _ = try server.transaction { try $0.execute("CREATE TABLE public.t (v bigint PRIMARY KEY)", []) }
        let error = try #require(throws: LedgerError.self) {
            try server.transaction { sql in
                try sql.executeDeferred("INSERT INTO public.t VALUES (1)", [])
                try sql.executeDeferred("INSERT INTO public.no_such_table VALUES (1)", [])
            }
        }
        #expect(error.description.contains("no_such_table"), "\(error)")
        #expect(try server.transaction { try $0.firstRow("SELECT count(*) FROM public.t")?.integer(0) } == 0)
        // The connection is usable afterwards.
        try server.transaction { sql in try sql.executeDeferred("INSERT INTO public.t VALUES (2)", []) }
        #expect(try server.transaction { try $0.firstRow("SELECT count(*) FROM public.t")?.integer(0) } == 1)
    }

    @Test func aStatementPastItsTimeoutIsCancelled() throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        var options = PostgresServer.Options()
        options.statementTimeout = .milliseconds(300)
        let server = try database.connect(options)
        defer { server.shutdown() }
        let started = ContinuousClock.now
        let error = try #require(throws: LedgerError.self) {
            try server.transaction { try $0.execute("SELECT pg_sleep(5)", []) }
        }
        #expect(error.isUnreachable, "\(error)")
        #expect(error.description.contains("statement timeout"), "\(error)")
        #expect(ContinuousClock.now - started < .seconds(4))
        // The connection it used went back to the pool in a usable state, or was replaced.
        #expect(try server.transaction { try $0.firstRow("SELECT 1")?.integer(0) } == 1)
    }

    /// Synchronous calls made from many tasks at once, more than Swift concurrency has
    /// threads, all finish: the bridge never needs the threads it blocks.
    @Test func synchronousCallsFromManyTasksAllFinish() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let server = try database.connect()
        defer { server.shutdown() }
        let total = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<32 {
                group.addTask {
                    try server.transaction { try $0.firstRow("SELECT ?::bigint * 2", [.integer(Int64(index))])?.integer(0) ?? -1 }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<32).reduce(0) { $0 + Int64($1) * 2 })
    }

    /// Eight hosts starting at once on an empty database: one applies the schema, the others
    /// wait for it and find nothing to do; none fails.
    @Test func migrationsRacingFromManyHostsApplyOnce() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let applied = try await HeavyWorkSlots.shared.run(slots: nil) { try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await onOwnThread {
                        let server = try database.connect()
                        defer { server.shutdown() }
                        return try PostgresSchema.migrate(server)
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        } }
        #expect(applied == PostgresSchema.migrations.map(\.version))
        let server = try database.connect()
        defer { server.shutdown() }
        let tables = try server.transaction { sql in
            try sql.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'llm_cost' ORDER BY 1").compactMap { $0.text(0) }
        }
        #expect(tables.contains("calls") && tables.contains("rollup_sessions") && tables.contains("budget_locks"), "\(tables)")
        // Found through the search path the connections set.
        #expect(try server.transaction { try $0.firstRow("SELECT count(*) FROM calls")?.integer(0) } == 0)
        #expect(try PostgresSchema.migrate(server).isEmpty)
    }

    @Test func placeholdersAreNumberedOutsideQuotesAndComments() {
        let (sql, count) = PostgresSQL.numberingPlaceholders("SELECT ?, '?', \"a?\", ? -- why?\n, ?")
        #expect(sql == "SELECT $1, '?', \"a?\", $2 -- why?\n, $3")
        #expect(count == 3)
    }

    private func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
