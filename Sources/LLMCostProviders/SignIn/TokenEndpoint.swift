import Foundation

/// The provider's token endpoint: exchanges an authorization code for a credential and refreshes
/// an expired one (RFC 6749 sections 4.1.3 and 6; OpenRouter's `POST /auth/keys`).
public struct TokenEndpoint: Sendable {
    public let provider: String
    public let settings: OAuthSettings
    let transport: any HTTPTransport
    let timeouts: Timeouts
    let now: @Sendable () -> Date

    public init(
        provider: String, settings: OAuthSettings, transport: any HTTPTransport = URLSessionTransport(),
        timeouts: Timeouts = Timeouts(connect: .seconds(10), firstByte: .seconds(30), idle: .seconds(30), total: .seconds(60)),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.provider = provider
        self.settings = settings
        self.transport = transport
        self.timeouts = timeouts
        self.now = now
    }

    /// Exchanges the code the browser brought back, proving with `verifier` that this process
    /// started the sign-in (RFC 7636 section 4.5).
    public func exchange(code: String, verifier: String, redirectURI: String, state: String?) async throws(SignInError) -> StoredCredential {
        switch settings.flow {
        case .openRouterKey:
            let reply = try await post(["code": code, "code_verifier": verifier, "code_challenge_method": "S256"], json: true)
            return try TokenReply(provider: provider, grant: .openRouterKey, issued: wholeSecondsNow(), defaultScopes: settings.scopes)
                .credential(status: reply.status, body: reply.body, previous: nil)
        case .authorizationCode:
            var parameters = [
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "code_verifier": verifier,
            ]
            parameters["client_id"] = settings.clientID
            // Some servers (Anthropic's) want the state echoed in a JSON token request.
            if settings.tokenBody == .json, let state { parameters["state"] = state }
            let reply = try await post(parameters, json: settings.tokenBody == .json)
            return try TokenReply(provider: provider, grant: .authorizationCode, issued: wholeSecondsNow(), defaultScopes: settings.scopes)
                .credential(status: reply.status, body: reply.body, previous: nil)
        }
    }

    /// A fresh access token for `credential`, with the refresh token the server rotates to, if
    /// it does. A refused refresh token (`invalid_grant`) throws an error whose `needsSignIn` is
    /// true; a server that is down throws one that is not (the stored credential stays).
    public func refresh(_ credential: StoredCredential) async throws(SignInError) -> StoredCredential {
        guard credential.kind == .oauth, let refreshToken = credential.refreshToken else {
            throw .signInAgain(provider, reason: "the token expired and came without a refresh token")
        }
        var parameters = ["grant_type": "refresh_token", "refresh_token": refreshToken]
        parameters["client_id"] = settings.clientID
        let reply = try await post(parameters, json: settings.tokenBody == .json)
        return try TokenReply(provider: provider, grant: .refreshToken, issued: wholeSecondsNow(), defaultScopes: settings.scopes)
            .credential(status: reply.status, body: reply.body, previous: credential)
    }

    /// Now, to the second: what the stores keep, so a credential reads back equal to itself.
    private func wholeSecondsNow() -> Date {
        Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
    }

    private func post(_ parameters: [String: String], json: Bool) async throws(SignInError) -> (status: Int, body: Data) {
        let body: Data
        let contentType: String
        if json {
            body = (try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys])) ?? Data()
            contentType = "application/json"
        } else {
            body = Data(Self.formEncoded(parameters).utf8)
            contentType = "application/x-www-form-urlencoded"
        }
        let request = HTTPRequestSpec(
            url: settings.tokenURL, headers: [("content-type", contentType), ("accept", "application/json")], body: body)
        do {
            let response = try await transport.send(request, timeouts: timeouts)
            return (response.head.status, try await response.collectBody(limit: 256 * 1024))
        } catch let error as TransportError {
            throw .unreachable(provider, url: settings.tokenURL.absoluteString, reason: error.explanation)
        } catch {
            throw .unreachable(provider, url: settings.tokenURL.absoluteString, reason: String(describing: error))
        }
    }

    /// `application/x-www-form-urlencoded`, keys sorted (RFC 6749 appendix B).
    static func formEncoded(_ parameters: [String: String]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return parameters.sorted { $0.key < $1.key }.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
    }
}

/// What a token endpoint's reply means: a pure reader of the status and body, apart from the
/// I/O, so it can be tested and fuzzed on its own.
public struct TokenReply: Sendable {
    /// The request the reply answers.
    public enum Grant: Sendable, Hashable, CaseIterable {
        case authorizationCode, refreshToken, openRouterKey
    }

    public let provider: String
    public let grant: Grant
    /// When the reply arrived (expiries count from it).
    public let issued: Date
    /// The scopes to record when the reply names none.
    public let defaultScopes: [String]

    public init(provider: String, grant: Grant, issued: Date, defaultScopes: [String] = []) {
        self.provider = provider
        self.grant = grant
        self.issued = issued
        self.defaultScopes = defaultScopes
    }

    /// The credential a successful reply carries; else the error it amounts to. A refresh refused
    /// with `invalid_grant` (RFC 6749 section 5.2) needs a new sign-in; other refusals do not say so.
    public func credential(status: Int, body: Data, previous: StoredCredential?) throws(SignInError) -> StoredCredential {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        guard (200..<300).contains(status) else {
            let code = object?["error"] as? String
            if code == "invalid_grant", grant == .refreshToken {
                throw .signInAgain(provider, reason: "the provider no longer accepts the stored refresh token (invalid_grant)")
            }
            throw .refused(provider, status: status, error: code, description: object?["error_description"] as? String)
        }
        guard let object else { throw .unexpectedReply(provider, "the body is not a JSON object") }
        if grant == .openRouterKey {
            guard let key = object["key"] as? String, !key.isEmpty else {
                throw .unexpectedReply(provider, "no `key` in the reply to the code exchange")
            }
            return StoredCredential(kind: .apiKey, secret: key, obtainedAt: issued)
        }
        guard let token = object["access_token"] as? String, !token.isEmpty else {
            throw .unexpectedReply(provider, "no `access_token` in the reply")
        }
        if let type = object["token_type"] as? String, type.lowercased() != "bearer" {
            throw .unexpectedReply(provider, "a token of type `\(type)`; only bearer tokens are supported")
        }
        var expiresAt: Date?
        if let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? (object["expires_in"] as? String).flatMap(Double.init) {
            // A lifetime that is not a sane number of seconds is not believed: the token is then
            // refreshed on its first 401 instead.
            if lifetime.isFinite, lifetime >= 0, lifetime <= 10 * 365 * 86_400 { expiresAt = issued.addingTimeInterval(lifetime.rounded(.down)) }
        }
        let scopes = (object["scope"] as? String).map { $0.split(separator: " ").map(String.init) } ?? previous?.scopes ?? defaultScopes
        let refreshToken = (object["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return StoredCredential(
            kind: .oauth, secret: token,
            // A server that does not rotate refresh tokens leaves the old one valid (RFC 6749 section 6).
            refreshToken: refreshToken ?? previous?.refreshToken,
            expiresAt: expiresAt, obtainedAt: issued, scopes: scopes)
    }
}
