import Foundation
import LLMCostTestSupport
import Testing
@testable import LLMCostStore

/// Ledger locations: files stay files, server URLs are read as libpq reads them, and a
/// password never comes back out.
@Suite struct LedgerLocationTests {
    let noEnvironment = ["USER": "me"]

    @Test func pathsAreFilesAndURLsAreServers() throws {
        #expect(try LedgerLocation("/tmp/ledger.sqlite") == .file("/tmp/ledger.sqlite"))
        #expect(try LedgerLocation("postgres:ledger.sqlite") == .file("postgres:ledger.sqlite"))
        guard case .postgres = try LedgerLocation("PostgreSQL://db.example/ledger") else {
            Issue.record("a postgresql:// URL in any case is a server")
            return
        }
        // A mistyped URL is an error, never a file of that name.
        #expect(throws: LedgerError.self) { try LedgerLocation("postgres://db.example:99999/ledger") }
    }

    @Test func everyPartIsRead() throws {
        let location = try PostgresLocation(
            url: "postgresql://al%40ice:p%3Ass@db.example.com:6543/team%20ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=7&application_name=ci",
            environment: noEnvironment)
        #expect(location.user == "al@ice")
        #expect(location.passwordInURL == "p:ss")
        #expect(location.host == "db.example.com")
        #expect(location.port == 6543)
        #expect(location.database == "team ledger")
        #expect(location.sslMode == .verifyFull)
        #expect(location.sslRootCertificate == "/etc/ca.pem")
        #expect(location.connectTimeout == .seconds(7))
        #expect(location.applicationName == "ci")
        #expect(location.redacted == "postgres://al%40ice:***@db.example.com:6543/team%20ledger?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=7&application_name=ci")
    }

    @Test func missingPartsComeFromTheEnvironmentThenDefaults() throws {
        let bare = try PostgresLocation(url: "postgres://", environment: noEnvironment)
        #expect((bare.host, bare.port, bare.user, bare.database, bare.sslMode) == ("localhost", 5432, "me", "me", .prefer))
        let fromEnvironment = try PostgresLocation(
            url: "postgres:///", environment: ["PGHOST": "pg.internal", "PGPORT": "5433", "PGUSER": "svc", "PGDATABASE": "costs"])
        #expect((fromEnvironment.host, fromEnvironment.port, fromEnvironment.user, fromEnvironment.database) == ("pg.internal", 5433, "svc", "costs"))
        let ipv6 = try PostgresLocation(url: "postgres://u@[::1]:5999/d", environment: noEnvironment)
        #expect((ipv6.host, ipv6.port) == ("::1", 5999))
        #expect(ipv6.redacted == "postgres://u@[::1]:5999/d")
        let socket = try PostgresLocation(url: "postgres://u@/d?host=/var/run/postgresql", environment: noEnvironment)
        #expect(socket.isUnixSocket && socket.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test(arguments: [
        ("postgres://u:hunter2@h:0/d", "port"),
        ("postgres://u:hunter2@h/d?sslmode=sometimes", "sslmode"),
        ("postgres://u:hunter2@h/d?colour=blue", "unknown option"),
        ("postgres://u:hunter2@h1,h2/d", "several hosts"),
        ("postgres://u:hunter2@h/d?connect_timeout=soon", "connect_timeout"),
        ("postgres://u:hunter2%zz@h/d", "malformed"),
        ("postgres://u@h/d?password=hunter2&sslmode=bad", "sslmode"),
    ])
    func badURLsSayWhatIsWrongAndNeverShowThePassword(url: String, expected: String) throws {
        let error = try #require(throws: LedgerError.self) { try PostgresLocation(url: url, environment: noEnvironment) }
        #expect(error.description.contains(expected), "\(error)")
        #expect(!error.description.contains("hunter2"), "\(error)")
    }

    @Test func redactingHidesPasswordsEvenInURLsThatDoNotParse() {
        #expect(LedgerLocation.redacting("postgres://u:hunter2@h/d") == "postgres://u:***@h:5432/d")
        #expect(!LedgerLocation.redacting("postgres://u:hunter2@h:bad/d").contains("hunter2"))
        #expect(!LedgerLocation.redacting("postgres://u@h/d?password=hunter2&x=1").contains("hunter2"))
        #expect(LedgerLocation.redacting("/home/me/ledger.sqlite") == "/home/me/ledger.sqlite")
    }

    @Test func thePasswordIsLookedUpInLibpqsOrder() throws {
        let home = try temporaryFolder("pgpass")
        defer { try? FileManager.default.removeItem(at: home) }
        let location = try PostgresLocation(url: "postgres://svc@db.example:5432/costs", environment: noEnvironment)
        let file = home.appendingPathComponent(".pgpass")
        try """
            # host:port:database:user:password
            other.example:*:*:*:not-this-one
            db.example:5432:costs:svc:pa\\:ss\\\\word
            *:*:*:*:fallback

            """.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        var environment = ["HOME": home.path]
        let fromFile = try PostgresPassword(for: location, environment: environment)
        #expect(fromFile.password == "pa:ss\\word")
        #expect(fromFile.source == .passwordFile(file.path))
        environment["PGPASSWORD"] = "from-pgpassword"
        #expect(try PostgresPassword(for: location, environment: environment).password == "from-pgpassword")
        environment["TEAM_LEDGER_PASSWORD"] = "from-named"
        let named = try PostgresPassword(for: location, variable: "TEAM_LEDGER_PASSWORD", environment: environment)
        #expect(named.password == "from-named" && named.source == .variable("TEAM_LEDGER_PASSWORD"))
        #expect(throws: LedgerError.self) { try PostgresPassword(for: location, variable: "UNSET_VARIABLE", environment: environment) }
        let inURL = try PostgresLocation(url: "postgres://svc:in-url@db.example/costs", environment: noEnvironment)
        #expect(try PostgresPassword(for: inURL, environment: environment).source == .url)

        // A password file others can read is ignored, with a warning, as libpq does.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let open = try PostgresPassword(for: location, environment: ["HOME": home.path])
        #expect(open.password == nil)
        #expect(open.warnings.first?.contains("chmod 600") == true)
    }
}
