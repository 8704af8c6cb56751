import Foundation

/// Finds the password for a PostgreSQL ledger, never from anything printed.
///
/// In order: the URL's own (accepted, never printed back); the environment variable named by
/// `ledger.password_env`; `PGPASSWORD`; the password file (`PGPASSFILE`, else `~/.pgpass`),
/// read as libpq reads it (`host:port:database:user:password` lines, `*` matching anything,
/// `\:` and `\\` escapes, `localhost` also matching a Unix socket) and, as libpq does,
/// ignored with a warning when others can read it. No password at all is fine: the server
/// may trust the connection.
public struct PostgresPassword: Sendable {
    /// Where a password was found, for messages (never the password itself).
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case url
        case variable(String)
        case passwordFile(String)

        public var description: String {
            switch self {
            case .url: "the URL"
            case .variable(let name): "$\(name)"
            case .passwordFile(let path): path
            }
        }
    }

    public var password: String?
    public var source: Source?
    /// Things the user should know (a password file others can read).
    public var warnings: [String] = []

    /// Looks the password up for `location`.
    public init(
        for location: PostgresLocation, variable: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LedgerError) {
        if let password = location.passwordInURL {
            self.password = password
            source = .url
            return
        }
        if let variable {
            guard let value = environment[variable], !value.isEmpty else {
                throw .invalidLocation(
                    location.redacted, detail: "ledger.password_env names $\(variable), which is not set")
            }
            password = value
            source = .variable(variable)
            return
        }
        if let value = environment["PGPASSWORD"], !value.isEmpty {
            password = value
            source = .variable("PGPASSWORD")
            return
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let file = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.pgpass"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              let data = FileManager.default.contents(atPath: file)
        else { return }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            warnings.append(
                "the password file \(file) can be read by others (mode \(String(mode & 0o777, radix: 8))); it is ignored. "
                    + "Run: chmod 600 \(file)")
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        if let found = Self.match(text, location: location) {
            password = found
            source = .passwordFile(file)
        }
    }

    /// The password of the first line of a password file that matches `location`.
    static func match(_ text: String, location: PostgresLocation) -> String? {
        let host = location.isUnixSocket ? "localhost" : location.host
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#") { continue }
            let fields = fields(of: line)
            guard fields.count >= 5 else { continue }
            func matches(_ field: String, _ value: String) -> Bool { field == "*" || field == value }
            if matches(fields[0], host), matches(fields[1], String(location.port)),
               matches(fields[2], location.database), matches(fields[3], location.user) {
                return fields[4]
            }
        }
        return nil
    }

    /// The colon-separated fields of a line, `\:` and `\\` unescaped; the fifth is the rest.
    private static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
