import Foundation
import LLMCostCore

/// A loopback OAuth 2.0 authorization server beside the simulated providers, for sign-in tests:
/// the authorization code flow with PKCE (RFC 6749, RFC 7636) with rotating refresh tokens, and
/// OpenRouter's flow that trades a code for an API key.
///
/// The "user" approves at once: `GET /oauth/authorize` (or OpenRouter's `GET /auth`) redirects
/// straight back to the client's loopback address with a code. Attached to a `ProviderSimulator`,
/// its provider endpoints then accept only live access tokens and issued keys (401 otherwise).
///
/// | endpoint | |
/// |---|---|
/// | `GET /oauth/authorize` | `client_id`, `redirect_uri` (loopback http), `code_challenge` (S256), `state` → 302 with `code`, `state` |
/// | `POST /oauth/token` | form or JSON; `authorization_code` (checks the verifier) or `refresh_token` (rotates it) |
/// | `GET /auth` | OpenRouter: `callback_url`, `code_challenge` → 302 with `code` |
/// | `POST /api/v1/auth/keys` | OpenRouter: JSON `code`, `code_verifier` → `{"key": ...}` |
public final class SimulatedAuthorization: @unchecked Sendable {
    private struct PendingCode {
        var challenge: String
        var redirectURI: String
        var clientID: String?
    }

    private let lock = NSLock()
    public let clientID: String
    private var lifetime: TimeInterval
    private var codes: [String: PendingCode] = [:]
    private var accessTokens: [String: Date] = [:]
    private var refreshTokens: Set<String> = []
    private var keys: Set<String> = []
    private var issued = 0
    private var wrongState = false
    private var grantLog: [String] = []

    /// - Parameters:
    ///   - clientID: the one client id `authorization-code` requests must carry.
    ///   - accessTokenLifetime: the `expires_in` of issued access tokens, in seconds.
    public init(clientID: String = "llm-cost-sim-client", accessTokenLifetime: TimeInterval = 3600) {
        self.clientID = clientID
        lifetime = accessTokenLifetime
    }

    /// The `expires_in` of access tokens issued from now on.
    public var accessTokenLifetime: TimeInterval {
        get { locked { lifetime } }
        set { locked { lifetime = newValue } }
    }

    /// Makes the redirect carry a different `state` than the client sent (a forged redirect).
    public var answersWithWrongState: Bool {
        get { locked { wrongState } }
        set { locked { wrongState = newValue } }
    }

    /// Every access token issued so far stops working at once (the server revoked it before its
    /// expiry): clients find out by a 401.
    public func invalidateAccessTokens() { locked { accessTokens.removeAll() } }

    /// Every refresh token issued so far is revoked.
    public func revokeRefreshTokens() { locked { refreshTokens.removeAll() } }

    /// The token requests answered with success, in order: `authorization_code`,
    /// `refresh_token`, `openrouter_key`.
    public var grants: [String] { locked { grantLog } }

    /// Whether a provider request presenting `secret` (bearer token or key) is let through.
    func accepts(_ secret: String?) -> Bool {
        guard let secret else { return false }
        return locked { keys.contains(secret) || (accessTokens[secret].map { $0 > Date() } ?? false) }
    }

    /// Whether `path` is one of the authorization server's.
    static func handles(_ path: String) -> Bool {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        return ["/oauth/authorize", "/oauth/token", "/auth", "/api/v1/auth/keys"].contains(bare)
    }

    /// The answer to one request to an authorization path.
    func answer(_ request: SimulatorRequest) -> (status: Int, headers: [(String, String)], body: String) {
        let parts = request.path.split(separator: "?", maxSplits: 1).map(String.init)
        let query = parts.count > 1 ? Self.parameters(parts[1]) : [:]
        switch (request.method, parts[0]) {
        case ("GET", "/oauth/authorize"): return authorize(query)
        case ("GET", "/auth"): return authorizeOpenRouter(query)
        case ("POST", "/oauth/token"): return token(Self.bodyParameters(request))
        case ("POST", "/api/v1/auth/keys"): return exchangeOpenRouterKey(Self.bodyParameters(request))
        default: return Self.error(405, "invalid_request", "method not allowed")
        }
    }

    private func authorize(_ query: [String: String]) -> (status: Int, headers: [(String, String)], body: String) {
        guard query["response_type"] == "code" else { return Self.error(400, "unsupported_response_type", "response_type must be code") }
        guard query["client_id"] == clientID else { return Self.error(400, "invalid_client", "unknown client_id") }
        guard let redirect = query["redirect_uri"], Self.isLoopback(redirect) else {
            return Self.error(400, "invalid_request", "redirect_uri must be a loopback http URL (RFC 8252)")
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"], challenge.count == 43 else {
            return Self.error(400, "invalid_request", "a S256 code_challenge is required")
        }
        let code = locked { () -> String in
            issued += 1
            let code = "sim-code-\(issued)-\(UInt32.random(in: 0...UInt32.max))"
            codes[code] = PendingCode(challenge: challenge, redirectURI: redirect, clientID: clientID)
            return code
        }
        var state = query["state"] ?? ""
        if answersWithWrongState { state = "forged-" + state }
        return Self.redirect(to: redirect, with: ["code": code, "state": state])
    }

    private func authorizeOpenRouter(_ query: [String: String]) -> (status: Int, headers: [(String, String)], body: String) {
        guard let callback = query["callback_url"], Self.isLoopback(callback) else {
            return Self.error(400, "invalid_request", "callback_url must be a loopback http URL")
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"] else {
            return Self.error(400, "invalid_request", "a S256 code_challenge is required")
        }
        let code = locked { () -> String in
            issued += 1
            let code = "sim-or-code-\(issued)"
            codes[code] = PendingCode(challenge: challenge, redirectURI: callback, clientID: nil)
            return code
        }
        return Self.redirect(to: callback, with: ["code": code])
    }

    private func token(_ form: [String: String]) -> (status: Int, headers: [(String, String)], body: String) {
        switch form["grant_type"] {
        case "authorization_code":
            guard form["client_id"] == clientID else { return Self.error(401, "invalid_client", "unknown client_id") }
            guard let code = form["code"], let pending = locked({ codes.removeValue(forKey: code) }) else {
                return Self.error(400, "invalid_grant", "unknown or used code")
            }
            guard form["redirect_uri"] == pending.redirectURI else { return Self.error(400, "invalid_grant", "redirect_uri differs") }
            guard let verifier = form["code_verifier"], Self.challenge(for: verifier) == pending.challenge else {
                return Self.error(400, "invalid_grant", "PKCE verification failed")
            }
            return issueTokens(grant: "authorization_code")
        case "refresh_token":
            guard let token = form["refresh_token"], locked({ refreshTokens.remove(token) }) != nil else {
                return Self.error(400, "invalid_grant", "refresh token revoked, expired or already used")
            }
            return issueTokens(grant: "refresh_token")
        default:
            return Self.error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
        }
    }

    private func issueTokens(grant: String) -> (status: Int, headers: [(String, String)], body: String) {
        let (access, refresh, expiresIn) = locked { () -> (String, String, TimeInterval) in
            issued += 1
            let access = "sim-at-\(issued)-\(UInt32.random(in: 0...UInt32.max))"
            let refresh = "sim-rt-\(issued)-\(UInt32.random(in: 0...UInt32.max))"
            accessTokens[access] = Date().addingTimeInterval(lifetime)
            refreshTokens.insert(refresh)
            grantLog.append(grant)
            return (access, refresh, lifetime)
        }
        let body: [String: Any] = [
            "access_token": access, "token_type": "Bearer", "expires_in": Int(expiresIn), "refresh_token": refresh,
            "scope": "inference",
        ]
        return (200, [("content-type", "application/json"), ("cache-control", "no-store")], Self.json(body))
    }

    private func exchangeOpenRouterKey(_ body: [String: String]) -> (status: Int, headers: [(String, String)], body: String) {
        guard let code = body["code"], let pending = locked({ codes.removeValue(forKey: code) }), pending.clientID == nil else {
            return Self.error(403, "invalid_code", "unknown or used code")
        }
        guard let verifier = body["code_verifier"], Self.challenge(for: verifier) == pending.challenge else {
            return Self.error(403, "invalid_code_verifier", "PKCE verification failed")
        }
        let key = locked { () -> String in
            issued += 1
            let key = "sk-or-v1-sim-\(issued)-\(UInt32.random(in: 0...UInt32.max))"
            keys.insert(key)
            grantLog.append("openrouter_key")
            return key
        }
        return (200, [("content-type", "application/json")], Self.json(["key": key, "user_id": "user_sim"]))
    }

    /// base64url(SHA-256(verifier)) without padding (RFC 7636 section 4.2).
    static func challenge(for verifier: String) -> String {
        Data(SHA256.digest(Array(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func isLoopback(_ text: String) -> Bool {
        guard let url = URL(string: text), url.scheme == "http" else { return false }
        return url.host == "127.0.0.1" || url.host == "localhost" || url.host == "[::1]" || url.host == "::1"
    }

    private static func redirect(to target: String, with parameters: [String: String]) -> (status: Int, headers: [(String, String)], body: String) {
        guard var components = URLComponents(string: target) else { return (302, [("location", target)], "") }
        let existing = components.queryItems ?? []
        components.queryItems = existing + parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return (302, [("location", components.string ?? target)], "")
    }

    private static func error(_ status: Int, _ code: String, _ description: String) -> (status: Int, headers: [(String, String)], body: String) {
        (status, [("content-type", "application/json")], json(["error": code, "error_description": description]))
    }

    private static func json(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func parameters(_ encoded: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if let name = parts.first { result[name] = parts.count > 1 ? parts[1] : "" }
        }
        return result
    }

    private static func bodyParameters(_ request: SimulatorRequest) -> [String: String] {
        if request.headers["content-type"]?.hasPrefix("application/json") == true {
            return (request.json ?? [:]).compactMapValues { $0 as? String }
        }
        return parameters(String(decoding: request.body, as: UTF8.self))
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
