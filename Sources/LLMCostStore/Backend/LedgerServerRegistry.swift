import Foundation
import Synchronization

/// How a ledger on a server is opened, for code that knows only a location (the configuration,
/// the commands): the server backend's module registers itself, so this module needs no
/// server client. An executable that links `LLMCostPostgres` calls `PostgresLedger.register()`
/// once at start.
extension Ledger {
    /// Opens the ledger at `location` with the password from `passwordVariable` or the usual
    /// places; warnings (a password file others can read) go to `warn`.
    package typealias ServerOpener = @Sendable (_ location: PostgresLocation, _ passwordVariable: String?, _ warn: (String) -> Void) throws -> Ledger

    private static let serverOpener = Mutex<ServerOpener?>(nil)

    /// Makes `Ledger.at(_:)` able to open `postgres://` locations.
    package static func registerServerBackend(_ opener: @escaping ServerOpener) {
        serverOpener.withLock { $0 = opener }
    }

    /// Opens the ledger at `location`: a file (with `options`), or a server through the
    /// registered backend. For a server, `options.busyTimeout` does not apply (the server
    /// waits for its own locks) and a missing ledger is created by migrating the database.
    public static func at(
        _ location: LedgerLocation, options: Options = Options(), passwordVariable: String? = nil,
        warn: (String) -> Void = { _ in }
    ) throws -> Ledger {
        switch location {
        case .file(let path):
            return try Ledger(path: path, options: options)
        case .postgres(let server):
            guard let opener = serverOpener.withLock({ $0 }) else {
                throw LedgerError.invalidLocation(
                    server.redacted, detail: "this program was built without the PostgreSQL backend (LLMCostPostgres)")
            }
            return try opener(server, passwordVariable, warn)
        }
    }
}
