import Foundation

/// Where a ledger lives: a SQLite file, or a database on a PostgreSQL server.
///
/// `--db`, `LLM_COST_DB` and `ledger.path` take either. Text starting with `postgres://` or
/// `postgresql://` (any case) is always a server URL, never a file path: a mistyped URL is an
/// error, not a file of that name.
public enum LedgerLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresLocation)

    /// Reads `text` as a server URL when it has the scheme of one, else as a file path.
    public init(_ text: String) throws(LedgerError) {
        if PostgresLocation.hasScheme(text) {
            self = .postgres(try PostgresLocation(url: text))
        } else {
            self = .file(text)
        }
    }

    /// The path, or the URL without its password: safe to print and to log.
    public var description: String {
        switch self {
        case .file(let path): path
        case .postgres(let location): location.redacted
        }
    }

    /// `text` safe to print: a server URL loses its password (even one that does not parse),
    /// a file path is itself.
    public static func redacting(_ text: String) -> String {
        guard PostgresLocation.hasScheme(text) else { return text }
        if let location = try? PostgresLocation(url: text) { return location.redacted }
        return PostgresLocation.strippingPassword(text)
    }
}
