import Foundation
import LLMCostStore

/// A database of its own on a server, for a benchmark: created empty, dropped by `drop()`.
/// The server's user needs the right to create databases.
package struct PostgresBenchDatabase: Sendable {
    package let location: PostgresLocation
    let password: String?
    private let server: PostgresLocation

    package init(server: PostgresLocation, password: String?) throws {
        self.server = server
        self.password = password
        var location = server
        location.database = "llm_cost_bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        self.location = location
        let admin = try PostgresServer(location: server, password: password)
        defer { admin.shutdown() }
        try admin.executeOutsideTransaction("CREATE DATABASE \(location.database)")
    }

    /// A ledger (another connection pool, as another host's) on the database.
    package func open() throws -> Ledger {
        try PostgresLedger.open(location, password: password)
    }

    package func drop() {
        guard let admin = try? PostgresServer(location: server, password: password) else { return }
        defer { admin.shutdown() }
        try? admin.executeOutsideTransaction("DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)")
    }
}
