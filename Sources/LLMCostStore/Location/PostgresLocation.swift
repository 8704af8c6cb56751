import Foundation
import LLMCostCore

/// A ledger on a PostgreSQL server, from a URL as libpq reads it:
/// `postgres[ql]://[user[:password]@][host][:port][/database][?option=value&...]`.
///
/// Options: `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`;
/// default `prefer`), `sslrootcert` (the CA file for the `verify-` modes), `connect_timeout`
/// (seconds), `application_name`, and `host`, `port`, `user`, `dbname` (as in libpq, they
/// override the URL's parts; a `host` starting with `/` is the folder of the server's Unix
/// socket). Parts left out come from `PGHOST`, `PGPORT`, `PGUSER` and `PGDATABASE`, then
/// `localhost`, 5432, the login name, and the user's name as the database.
///
/// A password may be written in the URL, but is never printed back: `redacted` and every error
/// leave it out. Better kept out of the URL: see `PostgresPassword`.
public struct PostgresLocation: Sendable, Hashable {
    /// How TLS is negotiated, with libpq's names and meanings.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// libpq tries plain first; here, as `prefer` (TLS when the server offers it).
        case allow
        /// TLS when the server offers it, without checking its certificate.
        case prefer
        /// TLS or no connection, without checking the certificate.
        case require
        /// TLS, the certificate signed by a trusted CA (`sslrootcert`, else the system's).
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate names the host.
        case verifyFull = "verify-full"
    }

    /// The server's name or address; for a Unix socket, the socket's folder.
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// The CA certificate file the `verify-` modes check the server against.
    public var sslRootCertificate: String?
    /// How long to wait for a connection; `nil`: the ledger's default.
    public var connectTimeout: Duration?
    public var applicationName: String?
    /// Written in the URL; never printed. `package`: only the backend reads it.
    package var passwordInURL: String?

    /// Whether `host` is a Unix socket's folder.
    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// The socket file for a Unix-socket host.
    public var unixSocketPath: String { "\(host)/.s.PGSQL.\(port)" }

    /// The URL without its password, with the parts in effect: safe to print and log.
    public var redacted: String {
        var text = "postgres://" + Self.percentEncoded(user) + (passwordInURL == nil ? "" : ":***") + "@"
        text += isUnixSocket ? "" : (host.contains(":") ? "[\(host)]" : Self.percentEncoded(host)) + ":\(port)"
        text += "/" + Self.percentEncoded(database)
        var options: [String] = []
        if isUnixSocket { options.append("host=" + Self.percentEncoded(host)) }
        if sslMode != .prefer { options.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCertificate { options.append("sslrootcert=" + Self.percentEncoded(sslRootCertificate)) }
        if let connectTimeout { options.append("connect_timeout=\(connectTimeout.components.seconds)") }
        if let applicationName { options.append("application_name=" + Self.percentEncoded(applicationName)) }
        return options.isEmpty ? text : text + "?" + options.joined(separator: "&")
    }

    /// Where the server is, for messages: `host:port/database` (or the socket folder).
    public var serverDescription: String {
        isUnixSocket ? "the socket \(unixSocketPath), database \(database)" : "\(host):\(port), database \(database)"
    }

    /// Whether `text` starts like a server URL (`postgres://`, `postgresql://`, any case).
    public static func hasScheme(_ text: String) -> Bool {
        let lowered = text.prefix(14).lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses `url`; parts it leaves out come from `environment` (`PGHOST`, `PGPORT`, `PGUSER`,
    /// `PGDATABASE`) or the defaults.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError) {
        func invalid(_ detail: String) -> LedgerError {
            .invalidLocation(Self.strippingPassword(url), detail: detail)
        }
        guard Self.hasScheme(url), let schemeEnd = url.range(of: "://") else {
            throw invalid("expected postgres://user@host:port/database")
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query = Substring("")
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        var authority = rest
        var databasePart: Substring?
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            databasePart = rest[rest.index(after: slash)...]
        }
        var user: String?
        var password: String?
        var hostPart = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPart = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decoded(userInfo[..<colon], part: "user", invalid)
                password = try Self.decoded(userInfo[userInfo.index(after: colon)...], part: "password", invalid)
            } else {
                user = try Self.decoded(userInfo, part: "user", invalid)
            }
        }
        if hostPart.contains(",") {
            throw invalid("several hosts are not supported; give one server")
        }
        var host: String?
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw invalid("an IPv6 address needs its closing ]") }
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("expected :port after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = try Self.decoded(hostPart[..<colon], part: "host", invalid)
            portText = hostPart[hostPart.index(after: colon)...]
        } else if !hostPart.isEmpty {
            host = try Self.decoded(hostPart, part: "host", invalid)
        }
        var database: String?
        if let databasePart, !databasePart.isEmpty { database = try Self.decoded(databasePart, part: "database", invalid) }
        var port: Int?
        if let portText, !portText.isEmpty { port = try Self.port(portText, invalid) }
        var sslMode = SSLMode.prefer
        var rootCertificate: String?
        var connectTimeout: Duration?
        var applicationName: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else { throw invalid("option \"\(pair)\" has no value (expected name=value)") }
            let name = String(pair[..<equals])
            let value = try Self.decoded(pair[pair.index(after: equals)...], part: name, invalid)
            switch name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw invalid("sslmode \"\(value)\" is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": rootCertificate = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds >= 0, seconds <= 86_400 else {
                    throw invalid("connect_timeout \"\(value)\" is not a number of seconds")
                }
                connectTimeout = seconds == 0 ? nil : .seconds(seconds)
            case "application_name": applicationName = value
            case "host": host = value
            case "port": port = try Self.port(Substring(value), invalid)
            case "user": user = value
            case "dbname": database = value
            case "password": password = value
            default:
                throw invalid("unknown option \"\(name)\"; expected sslmode, sslrootcert, connect_timeout, application_name, host, port, user or dbname")
            }
        }
        func fromEnvironment(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        if port == nil, let text = fromEnvironment("PGPORT") {
            guard let value = Int(text), (1...65_535).contains(value) else {
                throw invalid("PGPORT \"\(text)\" is not a port number")
            }
            port = value
        }
        let resolvedUser = user.flatMap { $0.isEmpty ? nil : $0 } ?? fromEnvironment("PGUSER") ?? Self.loginName(environment)
        self.host = host.flatMap { $0.isEmpty ? nil : $0 } ?? fromEnvironment("PGHOST") ?? "localhost"
        self.port = port ?? 5432
        self.user = resolvedUser
        self.database = database ?? fromEnvironment("PGDATABASE") ?? resolvedUser
        self.sslMode = sslMode
        self.sslRootCertificate = rootCertificate
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.passwordInURL = password
    }

    private static func port(_ text: Substring, _ invalid: (String) -> LedgerError) throws(LedgerError) -> Int {
        guard let value = Int(text), (1...65_535).contains(value) else { throw invalid("port \"\(text)\" is not a number from 1 to 65535") }
        return value
    }

    private static func decoded(_ text: Substring, part: String, _ invalid: (String) -> LedgerError) throws(LedgerError) -> String {
        guard let value = String(text).removingPercentEncoding else {
            // Never echo a password, even a malformed one.
            throw invalid(part == "password" ? "the password has a malformed %-escape" : "the \(part) has a malformed %-escape")
        }
        return value
    }

    private static func loginName(_ environment: [String: String]) -> String {
        if let user = environment["USER"], !user.isEmpty { return user }
        return NSUserName()
    }

    private static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `url` without its password, for messages about a URL that does not parse.
    static func strippingPassword(_ url: String) -> String {
        ConnectionURLRedaction.redacting(url)
    }
}
