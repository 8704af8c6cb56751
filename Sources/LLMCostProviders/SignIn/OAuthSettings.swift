import Foundation
import LLMCostCore

/// How `llm-cost login NAME` signs in to one provider: a `[providers.NAME.oauth]` table, or the
/// built-in flow of its type (OpenRouter's).
///
/// ```toml
/// [providers.claude.oauth]
/// authorize_url = "https://claude.ai/oauth/authorize"
/// token_url = "https://console.anthropic.com/v1/oauth/token"
/// client_id = "..."
/// scopes = ["user:inference"]
/// redirect_port = 54545        # 0 or absent: any free port (the provider must allow it)
/// redirect_path = "/callback"
/// token_body = "json"          # form (RFC 6749, the default) or json
/// ```
public struct OAuthSettings: Sendable, Hashable {
    /// What the flow yields.
    public enum Flow: String, Sendable, Hashable, CaseIterable {
        /// OAuth 2.0 authorization code with PKCE: an access token, usually with a refresh token
        /// and an expiry (RFC 6749, RFC 7636).
        case authorizationCode = "authorization-code"
        /// OpenRouter's PKCE flow: the code is exchanged for an API key the user controls, with
        /// no expiry and nothing to refresh.
        case openRouterKey = "openrouter-key"
    }

    /// How the token endpoint wants its parameters.
    public enum TokenBody: String, Sendable, Hashable, CaseIterable {
        case form
        case json
    }

    public var flow: Flow
    public var authorizeURL: URL
    public var tokenURL: URL
    /// Absent for OpenRouter's flow, which needs no registered client.
    public var clientID: String?
    public var scopes: [String]
    /// The loopback port the browser is sent back to; 0: any free port.
    public var redirectPort: UInt16
    /// The path the browser is sent back to.
    public var redirectPath: String
    public var tokenBody: TokenBody

    public init(
        flow: Flow, authorizeURL: URL, tokenURL: URL, clientID: String? = nil, scopes: [String] = [], redirectPort: UInt16 = 0,
        redirectPath: String = "/callback", tokenBody: TokenBody = .form
    ) {
        self.flow = flow
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.scopes = scopes
        self.redirectPort = redirectPort
        self.redirectPath = redirectPath
        self.tokenBody = tokenBody
    }

    public static let knownKeys = [
        "flow", "authorize_url", "token_url", "client_id", "scopes", "redirect_port", "redirect_path", "token_body",
    ]

    /// OpenRouter's sign-in: `https://openrouter.ai/auth`, the key exchanged at `{base}/auth/keys`.
    public static func openRouter(baseURL: URL = OpenAIChatProvider.openRouterBaseURL) -> OAuthSettings {
        OAuthSettings(
            flow: .openRouterKey, authorizeURL: URL(string: "https://openrouter.ai/auth")!,
            tokenURL: baseURL.appendingPathComponent("auth/keys"))
    }

    /// The built-in sign-in of a provider type, if it has one.
    public static func builtIn(forType type: String, baseURL: URL?) -> OAuthSettings? {
        type == "openrouter" ? openRouter(baseURL: baseURL ?? OpenAIChatProvider.openRouterBaseURL) : nil
    }

    /// Reads `[providers.NAME.oauth]` (`path` is `providers.NAME.oauth`). Keys left out fall back
    /// to `defaults` (the type's built-in flow) where it has them.
    init(path: String, table: [String: ConfigValue], defaults: OAuthSettings?, environment: [String: String]) throws(ProviderSettingsError) {
        for key in table.keys where !Self.knownKeys.contains(key) {
            throw .unknownKey("\(path).\(key)", known: Self.knownKeys)
        }
        let reader = SettingsTable(path: path, values: table, environment: environment)
        func string(_ key: String) throws(ProviderSettingsError) -> String? { try reader.string(key) }
        func url(_ key: String) throws(ProviderSettingsError) -> URL? { try reader.httpURL(key) }
        var flow = defaults?.flow ?? .authorizationCode
        if let text = try string("flow") {
            guard let chosen = Flow(rawValue: text) else {
                throw .invalidValue("\(path).flow", "expected one of \(Flow.allCases.map(\.rawValue).joined(separator: ", ")), found `\(text)`")
            }
            flow = chosen
        }
        guard let authorizeURL = try url("authorize_url") ?? defaults?.authorizeURL else {
            throw .missingKey("\(path).authorize_url", why: "where the browser signs in")
        }
        guard let tokenURL = try url("token_url") ?? defaults?.tokenURL else {
            throw .missingKey("\(path).token_url", why: "where the code is exchanged for a token")
        }
        self.init(flow: flow, authorizeURL: authorizeURL, tokenURL: tokenURL)
        clientID = try string("client_id") ?? defaults?.clientID
        if flow == .authorizationCode, clientID == nil {
            throw .missingKey("\(path).client_id", why: "the client id the provider registered for this application")
        }
        switch table["scopes"] {
        case nil: scopes = defaults?.scopes ?? []
        case .string(let text)?: scopes = text.split(separator: " ").map(String.init)
        case .array(let values)?:
            scopes = try values.map { value throws(ProviderSettingsError) in
                guard case .string(let text) = value else { throw .wrongType("\(path).scopes", expected: "an array of strings", found: value) }
                return text
            }
        case let value?: throw .wrongType("\(path).scopes", expected: "an array of strings", found: value)
        }
        if let value = table["redirect_port"] {
            guard case .integer(let port) = value else { throw .wrongType("\(path).redirect_port", expected: "an integer", found: value) }
            guard (0...65535).contains(port) else { throw .invalidValue("\(path).redirect_port", "expected 0...65535, found \(port)") }
            redirectPort = UInt16(port)
        }
        if let text = try string("redirect_path") {
            guard text.hasPrefix("/"), !text.contains("?"), !text.contains("#") else {
                throw .invalidValue("\(path).redirect_path", "expected a path such as /callback, found `\(text)`")
            }
            redirectPath = text
        }
        if let text = try string("token_body") {
            guard let body = TokenBody(rawValue: text) else {
                throw .invalidValue("\(path).token_body", "expected form or json, found `\(text)`")
            }
            tokenBody = body
        }
    }
}
