import Crypto
import Foundation
import LLMCost

/// Who may use the proxy, whom a client's key stands for, and which upstream keys the proxy
/// holds itself. A pure value: `admit` decides from a request's headers alone.
///
/// - Access tokens (`[proxy] access_tokens_file`): once any is set, every relayed call and
///   `/metrics` needs one, in `x-llm-cost-token` or, on a route whose key the proxy holds, as
///   the client's API key (so a tool that can set only its key still gets in). A token's line
///   may name the agent its calls are attributed to.
/// - Held keys (`[proxy] hold_keys`): the proxy sends the provider's own key (its `api_key_env`)
///   and drops whatever credential the client sent, so agents in a sandbox never see real keys.
/// - Key agents (`[proxy] key_agents`): a client key's SHA-256 (hex, or its first 16+ digits)
///   mapped to an agent name, for clients that can set neither headers nor the base URL path.
///
/// Secrets are kept only as digests (tokens) or in the one header they are sent in (held keys);
/// none is logged or written to the ledger.
public struct ProxyAccess: Sendable {
    /// The upstream credential of a provider whose key the proxy holds.
    public struct HeldKey: Sendable {
        public var headerName: String
        public var headerValue: String
        public init(headerName: String, headerValue: String) {
            self.headerName = headerName
            self.headerValue = headerValue
        }
    }

    /// Access tokens by SHA-256 hex digest, with the agent each stands for ("" for none).
    private var tokenAgents: [String: String] = [:]
    /// Client key digest prefixes (lowercase hex) and their agents, longest prefix first.
    private var keyAgents: [(prefix: String, agent: String)] = []
    /// Held upstream keys by provider name.
    public var heldKeys: [String: HeldKey] = [:]

    public init() {}

    /// Whether calls need an access token.
    public var requiresToken: Bool { !tokenAgents.isEmpty }

    /// The header naming a proxy access token (never forwarded: the `x-llm-cost-` prefix).
    public static let tokenHeader = "x-llm-cost-token"
    /// The headers a client's API key may come in, across the providers.
    public static let credentialHeaders: Set<String> = ["authorization", "x-api-key", "api-key"]

    /// What `admit` decided.
    public enum Admission: Sendable, Equatable {
        /// Relay the call, attributed to `agent` when it is set (explicit attribution wins).
        case admitted(agent: String?)
        /// No or a wrong access token: HTTP 401 with this message.
        case refused(String)
    }

    /// Decides on a call to `provider` (nil: not a relayed call, `/metrics`) from its headers
    /// (names lowercase).
    public func admit(provider: String?, headers: [(name: String, value: String)]) -> Admission {
        // Nothing configured, the common case: nothing to read.
        if tokenAgents.isEmpty, keyAgents.isEmpty, heldKeys.isEmpty { return .admitted(agent: nil) }
        // Two different keys in one request: the upstream bills one of them, which the proxy
        // cannot tell; a decoy in the other must not choose the agent.
        let credentials = Self.credentials(in: headers)
        guard Set(credentials).count <= 1 else {
            return .refused("llm-cost proxy: the request carries more than one API key (x-api-key, api-key, Authorization); send one")
        }
        let credential = credentials.first
        var token = headers.first { $0.name == Self.tokenHeader }?.value
        if token == nil, provider.map({ heldKeys[$0] != nil }) ?? true { token = credential }
        var agent: String?
        if requiresToken {
            guard let token, let tokenAgent = tokenAgents[Self.digest(token)] else {
                return .refused(token == nil
                    ? "llm-cost proxy: an access token is required (x-llm-cost-token, or as the API key on a route whose key the proxy holds)"
                    : "llm-cost proxy: the access token is not one this proxy accepts")
            }
            agent = tokenAgent.isEmpty ? nil : tokenAgent
        }
        // The client's own key (not a token standing in for a held one) may name its agent.
        if agent == nil, !keyAgents.isEmpty, let provider, heldKeys[provider] == nil, let credential {
            let digest = Self.digest(credential)
            agent = keyAgents.first { digest.hasPrefix($0.prefix) }?.agent
        }
        return .admitted(agent: agent)
    }

    /// The API keys a request carries: `x-api-key`, `api-key`, `Authorization: Bearer` tokens.
    static func credentials(in headers: [(name: String, value: String)]) -> [String] {
        var found: [String] = []
        for (name, value) in headers {
            switch name {
            case "x-api-key", "api-key": if !value.isEmpty { found.append(value) }
            case "authorization":
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "bearer" { found.append(String(parts[1]).trimmingCharacters(in: .whitespaces)) }
                // Another scheme (Basic, ...) is a credential the proxy cannot read: it counts.
                else if !value.isEmpty { found.append(value) }
            default: continue
            }
        }
        return found
    }

    /// Lowercase hex SHA-256 of `secret`'s UTF-8 bytes: what `printf %s "$KEY" | sha256sum` prints.
    public static func digest(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Reading the settings

    /// An error in the access settings, naming the file and line or the setting.
    public struct SettingsError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Adds the tokens of an access tokens file: one per line, `TOKEN [AGENT]`, `#` comments.
    /// The file must be private (no access for group or others) and each token 16+ characters.
    public mutating func addTokens(file path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw SettingsError(description: "\(path): cannot read the access tokens file (\(String(cString: strerror(errno))))")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw SettingsError(description: String(
                format: "%@: the access tokens file is open to other users (mode %o); chmod 600 it", path, Int(status.st_mode & 0o777)))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SettingsError(description: "\(path): the access tokens file is not UTF-8 text")
        }
        let before = tokenAgents.count
        try addTokens(text: text, source: path)
        // An empty file must not leave the proxy open while its owner thinks it is closed.
        guard tokenAgents.count > before else {
            throw SettingsError(description: "\(path): the access tokens file holds no token (one `TOKEN [AGENT]` per line)")
        }
    }

    /// Adds tokens from the text of a tokens file; `source` names it in errors.
    public mutating func addTokens(text: String, source: String) throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let token = fields.first else { continue }
            guard fields.count <= 2 else {
                throw SettingsError(description: "\(source):\(index + 1): expected `TOKEN [AGENT]`, found \(fields.count) fields")
            }
            guard token.count >= 16 else {
                throw SettingsError(description: "\(source):\(index + 1): a token needs at least 16 characters (this one has \(token.count))")
            }
            tokenAgents[Self.digest(String(token))] = fields.count == 2 ? String(fields[1]) : ""
        }
    }

    /// Adds `DIGEST=AGENT` entries (DIGEST: the key's SHA-256 in hex, whole or its first 16+
    /// digits, optionally after `sha256:`); `setting` names them in errors.
    public mutating func addKeyAgents(_ entries: [String], setting: String) throws {
        for entry in entries {
            guard let equals = entry.firstIndex(of: "=") else {
                throw SettingsError(description: "\(setting): expected DIGEST=AGENT, found `\(entry)`")
            }
            var digest = entry[..<equals].lowercased()
            if digest.hasPrefix("sha256:") { digest.removeFirst("sha256:".count) }
            let agent = String(entry[entry.index(after: equals)...])
            guard (16...64).contains(digest.count), digest.allSatisfy(\.isHexDigit), !agent.isEmpty else {
                throw SettingsError(description: "\(setting): expected 16 to 64 hex digits of the key's SHA-256 and an agent name, found `\(entry)` (printf %s \"$KEY\" | sha256sum)")
            }
            keyAgents.append((digest, agent))
        }
        keyAgents.sort { $0.prefix.count > $1.prefix.count }
    }
}
