import Foundation
import LLMCostProviders

/// `llm-cost login NAME`: signs in through the browser and stores what the provider gives.
///
/// OAuth 2.0 for native apps (RFC 8252): a listener on 127.0.0.1, the authorization URL opened
/// in the browser with a PKCE challenge (RFC 7636) and a random `state`, the redirect's `state`
/// checked before the code is exchanged with the verifier, the result saved in the store.
///
/// ```swift
/// let flow = LoginFlow(provider: "openrouter", settings: .openRouter(), store: store)
/// let credential = try await flow.run { url in
///     if !SystemBrowser.open(url) { print("Open \(url)") }
/// }
/// ```
public struct LoginFlow: Sendable {
    public let provider: String
    public let settings: OAuthSettings
    public let store: any CredentialStore
    let endpoint: TokenEndpoint
    /// How long to wait for the browser to come back.
    public var timeout: Duration

    public init(
        provider: String, settings: OAuthSettings, store: any CredentialStore, transport: any HTTPTransport = URLSessionTransport(),
        timeout: Duration = .seconds(300)
    ) {
        self.provider = provider
        self.settings = settings
        self.store = store
        self.timeout = timeout
        endpoint = TokenEndpoint(provider: provider, settings: settings, transport: transport)
    }

    /// Signs in: `open` gets the URL to send the user to (a browser, or a message printing it)
    /// once the listener is up. Returns what was stored.
    public func run(open: @escaping @Sendable (URL) async throws -> Void) async throws -> StoredCredential {
        let pkce = PKCE.random()
        let state = Base64URL.randomString(bytes: 16)
        // OpenRouter's flow has no `state` parameter: the state rides in the callback's path.
        let path = settings.flow == .openRouterKey ? settings.redirectPath + "/" + state : settings.redirectPath
        let redirect = LoopbackRedirect(provider: provider, port: settings.redirectPort, path: settings.redirectPath)
        let redirectURIs = RedirectURIs()
        let response = try await redirect.awaitResponse(timeout: timeout) { port in
            let uri = "http://127.0.0.1:\(port)\(path)"
            await redirectURIs.set(uri)
            try await open(authorizationURL(redirectURI: uri, pkce: pkce, state: state))
        }
        guard let redirectURI = await redirectURIs.value else {
            throw SignInError.redirect(provider, "the browser came back before the sign-in started")
        }
        if let error = response.parameters["error"] {
            let description = response.parameters["error_description"].map { ": \($0)" } ?? ""
            throw SignInError.redirect(provider, "the provider did not sign you in (\(error))\(description)")
        }
        let returnedState = settings.flow == .openRouterKey ? response.pathSuffix : response.parameters["state"]
        guard returnedState == state else { throw SignInError.stateMismatch(provider) }
        guard let code = response.parameters["code"], !code.isEmpty else {
            throw SignInError.redirect(provider, "the browser came back without an authorization code")
        }
        let credential = try await endpoint.exchange(code: code, verifier: pkce.verifier, redirectURI: redirectURI, state: state)
        // Under the refresh lock: a process refreshing the old sign-in cannot save over this one.
        try await store.withExclusiveAccess(provider: provider) { try store.save(credential, provider: provider) }
        return credential
    }

    /// The URL the browser opens.
    func authorizationURL(redirectURI: String, pkce: PKCE, state: String) -> URL {
        var components = URLComponents(url: settings.authorizeURL, resolvingAgainstBaseURL: false) ?? URLComponents()
        var items = components.queryItems ?? []
        switch settings.flow {
        case .openRouterKey:
            items += [
                URLQueryItem(name: "callback_url", value: redirectURI), URLQueryItem(name: "code_challenge", value: pkce.challenge),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
        case .authorizationCode:
            items += [
                URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: settings.clientID),
                URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "code_challenge", value: pkce.challenge),
                URLQueryItem(name: "code_challenge_method", value: "S256"), URLQueryItem(name: "state", value: state),
            ]
            if !settings.scopes.isEmpty { items.append(URLQueryItem(name: "scope", value: settings.scopes.joined(separator: " "))) }
        }
        components.queryItems = items
        // URLComponents leaves `+` and `/` alone in values; a redirect URI or scope must arrive intact.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url ?? settings.authorizeURL
    }
}

/// The redirect URI, known once the listener has its port.
private actor RedirectURIs {
    var value: String?
    func set(_ uri: String) { value = uri }
}
