/// Everything that can go wrong with the ledger, with where it is and what to do about it.
///
/// For a ledger on a server, `path` is its URL without the password, and no message ever
/// holds the password (the server's own text is left out where it could echo it).
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case cannotCreate
        case notADatabase
        case busy
        case readOnly
        case tooNew
        case missing
        case foreign
        case sqlite
        case invalidLocation
        case unreachable
        case authentication
        case missingDatabase
        case timedOut
        case server
    }

    private let code: Code
    /// The ledger file, or the server's URL without its password.
    public let path: String
    /// The underlying detail (SQLite's or the server's message, the OS error).
    public let detail: String

    private init(_ code: Code, path: String, detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    static func cannotCreate(path: String, detail: String) -> LedgerError { .init(.cannotCreate, path: path, detail: detail) }
    static func notADatabase(path: String, detail: String) -> LedgerError { .init(.notADatabase, path: path, detail: detail) }
    static func busy(path: String, detail: String) -> LedgerError { .init(.busy, path: path, detail: detail) }
    static func readOnly(path: String, detail: String) -> LedgerError { .init(.readOnly, path: path, detail: detail) }
    static func tooNew(path: String, detail: String) -> LedgerError { .init(.tooNew, path: path, detail: detail) }
    static func missing(path: String) -> LedgerError { .init(.missing, path: path, detail: "") }
    static func foreign(path: String, detail: String) -> LedgerError { .init(.foreign, path: path, detail: detail) }
    static func sqlite(path: String, detail: String) -> LedgerError { .init(.sqlite, path: path, detail: detail) }
    package static func invalidLocation(_ location: String, detail: String) -> LedgerError { .init(.invalidLocation, path: location, detail: detail) }
    /// The server cannot be reached (down, refusing, unknown host): calls wait in the spool.
    package static func unreachable(_ location: String, detail: String) -> LedgerError { .init(.unreachable, path: location, detail: detail) }
    package static func authentication(_ location: String, detail: String) -> LedgerError { .init(.authentication, path: location, detail: detail) }
    package static func missingDatabase(_ location: String, detail: String) -> LedgerError { .init(.missingDatabase, path: location, detail: detail) }
    package static func timedOut(_ location: String, detail: String) -> LedgerError { .init(.timedOut, path: location, detail: detail) }
    package static func server(_ location: String, detail: String) -> LedgerError { .init(.server, path: location, detail: detail) }

    /// Another process held the ledger locked for longer than the busy timeout.
    public var isBusy: Bool { code == .busy }
    /// There is no file at the path and the caller asked not to create one.
    public var isMissing: Bool { code == .missing }
    /// The file is a SQLite database of another program.
    public var isForeign: Bool { code == .foreign }
    /// The file exists but is not a SQLite database (or is damaged).
    public var isCorrupt: Bool { code == .notADatabase }
    /// The server could not be reached, or did not answer in time: a later try may succeed.
    public var isUnreachable: Bool { code == .unreachable || code == .timedOut }

    public var description: String {
        switch code {
        case .cannotCreate:
            return "cannot create the ledger at \(path): \(detail)"
        case .notADatabase:
            return "\(path) is not an llm-cost ledger (not a SQLite database, or damaged): \(detail). "
                + "Nothing was written to it. Point --db elsewhere, or restore it from a backup."
        case .busy:
            return "the ledger \(path) is locked by another process (\(detail)); nothing was written. Try again."
        case .readOnly:
            return "the ledger \(path) cannot be written: \(detail)"
        case .tooNew:
            return "the ledger \(path) was written by a newer llm-cost (\(detail)); upgrade llm-cost to use it"
        case .missing:
            return "no ledger at \(path): nothing has been recorded there. Check --db, LLM_COST_DB or ledger.path; "
                + "`llm-cost record`, `llm-cost import` or a metered call creates it."
        case .foreign:
            return "\(path) is a SQLite database of another program (\(detail)); llm-cost will not write to it. "
                + "Point --db at an llm-cost ledger or a new file."
        case .sqlite:
            return "ledger \(path): \(detail)"
        case .invalidLocation:
            return "cannot read the ledger location \(path): \(detail)"
        case .unreachable:
            return "cannot reach the ledger's server (\(path)): \(detail). Is the server running, and the host and port right?"
        case .authentication:
            return "the ledger's server refused the login (\(path)): \(detail). Check the user and the password "
                + "(ledger.password_env, PGPASSWORD or ~/.pgpass)."
        case .missingDatabase:
            return "the ledger's server has no such database (\(path)): \(detail). Create it (createdb), or fix the URL."
        case .timedOut:
            return "the ledger's server did not answer in time (\(path)): \(detail)"
        case .server:
            return "ledger \(path): \(detail)"
        }
    }
}
