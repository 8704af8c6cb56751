import Foundation
import LLMCostCore
import LLMCostProviders
import LLMCostSimulator
import Testing

@testable import LLMCostSignIn

/// Sign-in against the simulator's loopback authorization server: the browser is `curl`, which
/// follows the server's redirect to the flow's loopback listener as a browser would.
@Suite struct SignInTests {
    /// A simulator with an authorization server, a credential folder, and the sign-in settings
    /// pointing at them. `close()` in the test's `defer`.
    final class Scene: Sendable {
        let authorization: SimulatedAuthorization
        let simulator: ProviderSimulator
        let folder: URL
        let store: FileCredentialStore

        init(accessTokenLifetime: TimeInterval = 3600) throws {
            authorization = SimulatedAuthorization(accessTokenLifetime: accessTokenLifetime)
            simulator = ProviderSimulator(authorization: authorization)
            try simulator.start()
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cost-signin-\(UUID().uuidString)")
            store = FileCredentialStore(directory: folder.appendingPathComponent("credentials"))
        }

        var oauth: OAuthSettings {
            OAuthSettings(
                flow: .authorizationCode, authorizeURL: simulator.baseURL.appendingPathComponent("oauth/authorize"),
                tokenURL: simulator.baseURL.appendingPathComponent("oauth/token"), clientID: authorization.clientID,
                scopes: ["inference", "profile"])
        }

        var openRouter: OAuthSettings {
            var settings = OAuthSettings.openRouter(baseURL: simulator.baseURL.appendingPathComponent("api/v1"))
            settings.authorizeURL = simulator.baseURL.appendingPathComponent("auth")
            return settings
        }

        /// `sim`, an OpenAI-compatible provider on the simulator whose calls use the stored sign-in.
        func provider(type: String = "openai-compatible", oauth: OAuthSettings? = nil) throws -> any LLMProvider {
            var registry = ProviderRegistry(environment: ProviderEnvironment(variables: [:], credentials: store))
            var settings = ProviderSettings(
                name: "sim", type: type, model: type == "anthropic" ? "claude-sonnet-4-5" : "gpt-4o-mini",
                baseURL: type == "anthropic" ? simulator.baseURL : simulator.baseURL.appendingPathComponent("v1"))
            settings.oauth = oauth ?? self.oauth
            settings.maxRetries = 0
            try registry.add(settings)
            return try registry.provider(named: "sim")
        }

        func login(_ settings: OAuthSettings? = nil) async throws -> StoredCredential {
            try await LoginFlow(provider: "sim", settings: settings ?? oauth, store: store, timeout: .seconds(30)).run { url in
                try await Browser.visit(url)
            }
        }

        func close() {
            simulator.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// The browser: `curl -L`, started and left to finish on its own, as a real one would be.
    enum Browser {
        static func visit(_ url: URL) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "-L", "-o", "/dev/null", url.absoluteString]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Follows nothing: the authorization server's `Location` header.
        static func location(of url: URL) throws -> URL? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "-o", "/dev/null", "-w", "%{redirect_url}", url.absoluteString]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return URL(string: String(decoding: data, as: UTF8.self))
        }
    }

    private func ask(_ provider: any LLMProvider) async throws -> ChatResponse {
        try await provider.complete(ChatRequest(messages: [.user("hello")]))
    }

    @Test func pkceMatchesTheRFCsExampleAndBase64URLItsVectors() {
        // RFC 7636 appendix B.
        #expect(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        // RFC 4648 section 10, without padding, and the two characters base64url changes.
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Base64URL.encode(Array(plain.utf8)) == encoded) }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        let verifiers = (0..<100).map { _ in PKCE.random().verifier }
        #expect(Set(verifiers).count == 100)
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect(verifiers.allSatisfy { $0.count == 43 && $0.unicodeScalars.allSatisfy(unreserved.contains) })
    }

    @Test func aGoodExchangeStoresATokenOnlyTheUserCanReadAndCallsUseIt() async throws {
        let scene = try Scene()
        defer { scene.close() }
        // Not signed in: the provider refuses the call.
        await #expect(throws: ProviderError.self) { try await ask(try scene.provider()) }
        let credential = try await scene.login()
        #expect(credential.kind == .oauth)
        #expect(credential.refreshToken != nil)
        #expect(scene.authorization.grants == ["authorization_code"])
        let expiry = try #require(credential.expiresAt)
        #expect(abs(expiry.timeIntervalSinceNow - 3600) < 60)
        let file = scene.store.file(for: "sim").path
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: scene.store.directory.path)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        #expect(try scene.store.load(provider: "sim") == credential)

        let reply = try await ask(try scene.provider())
        #expect(reply.text == "Simulated reply to: hello")
        let sent = try #require(scene.simulator.requests.last { $0.path.hasSuffix("/chat/completions") })
        #expect(sent.headers["authorization"] == "Bearer \(credential.secret)")
    }

    @Test func anthropicSendsTheBearerTokenWithTheOAuthBeta() async throws {
        let scene = try Scene()
        defer { scene.close() }
        _ = try await scene.login()
        _ = try await ask(try scene.provider(type: "anthropic"))
        let sent = try #require(scene.simulator.requests.last { $0.path.hasSuffix("/v1/messages") })
        #expect(sent.headers["authorization"]?.hasPrefix("Bearer sim-at-") == true)
        #expect(sent.headers["x-api-key"] == nil)
        #expect(sent.headers["anthropic-beta"]?.contains("oauth-2025-04-20") == true)
    }

    @Test func aWrongVerifierIsRefused() async throws {
        let scene = try Scene()
        defer { scene.close() }
        let pkce = PKCE.random()
        let flow = LoginFlow(provider: "sim", settings: scene.oauth, store: scene.store)
        let redirectURI = "http://127.0.0.1:9/callback"
        let authorize = flow.authorizationURL(redirectURI: redirectURI, pkce: pkce, state: "s1")
        let back = try #require(try Browser.location(of: authorize))
        let code = try #require(URLComponents(url: back, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "code" }?.value)
        let endpoint = TokenEndpoint(provider: "sim", settings: scene.oauth)
        do {
            _ = try await endpoint.exchange(code: code, verifier: PKCE.random().verifier, redirectURI: redirectURI, state: "s1")
            Issue.record("a wrong verifier was accepted")
        } catch {
            #expect(error.description.contains("HTTP 400, invalid_grant"))
            #expect(!error.description.contains(code))
        }
        #expect(scene.authorization.grants.isEmpty)
    }

    @Test func aWrongStateIsRefusedBeforeTheCodeIsExchanged() async throws {
        let scene = try Scene()
        defer { scene.close() }
        scene.authorization.answersWithWrongState = true
        do {
            _ = try await scene.login()
            Issue.record("a forged state was accepted")
        } catch let error as SignInError {
            #expect(error.description.contains("did not carry the state this login sent"))
        }
        #expect(scene.authorization.grants.isEmpty)
        #expect(try scene.store.load(provider: "sim") == nil)
    }

    @Test func aTokenAboutToExpireIsRefreshedBeforeTheCall() async throws {
        // 30 s is inside the refresh margin: the stored token is refreshed before it is sent.
        let scene = try Scene(accessTokenLifetime: 30)
        defer { scene.close() }
        let first = try await scene.login()
        scene.authorization.accessTokenLifetime = 3600
        _ = try await ask(try scene.provider())
        #expect(scene.authorization.grants == ["authorization_code", "refresh_token"])
        let stored = try #require(try scene.store.load(provider: "sim"))
        #expect(stored.secret != first.secret)
        #expect(stored.refreshToken != first.refreshToken)
        let sent = try #require(scene.simulator.requests.last { $0.path.hasSuffix("/chat/completions") })
        #expect(sent.headers["authorization"] == "Bearer \(stored.secret)")
        // One provider request: nothing was sent with the stale token.
        #expect(scene.simulator.requests.filter { $0.path.hasSuffix("/chat/completions") }.count == 1)
    }

    @Test func a401RefreshesOnceAndTheCallGoesThrough() async throws {
        let scene = try Scene()
        defer { scene.close() }
        _ = try await scene.login()
        scene.authorization.invalidateAccessTokens()
        let reply = try await ask(try scene.provider())
        #expect(reply.text == "Simulated reply to: hello")
        #expect(scene.authorization.grants == ["authorization_code", "refresh_token"])
        #expect(scene.simulator.requests.filter { $0.path.hasSuffix("/chat/completions") }.count == 2)
    }

    @Test func aRevokedRefreshTokenSaysToSignInAgain() async throws {
        let scene = try Scene()
        defer { scene.close() }
        let credential = try await scene.login()
        scene.authorization.invalidateAccessTokens()
        scene.authorization.revokeRefreshTokens()
        do {
            _ = try await ask(try scene.provider())
            Issue.record("a revoked sign-in was used")
        } catch let error as ProviderError {
            #expect(error.kind == .authentication)
            #expect(error.description.contains("sign in again with `llm-cost login sim`"), "\(error)")
            #expect(!error.description.contains(credential.refreshToken ?? "?"))
        }
        // The stored credential is left for the user to replace; it is not silently deleted.
        #expect(try scene.store.load(provider: "sim") == credential)
    }

    @Test func concurrentRefreshesSpendTheRefreshTokenOnce() async throws {
        let scene = try Scene()
        defer { scene.close() }
        let credential = try await scene.login()
        scene.authorization.invalidateAccessTokens()
        let endpoint = TokenEndpoint(provider: "sim", settings: scene.oauth)
        // Sixteen holders of the same stale token, as sixteen processes would be.
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                let holder = SignedInCredential(provider: "sim", credential: credential, store: scene.store, endpoint: endpoint)
                group.addTask { try await holder.token(forceRefresh: true) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(tokens).count == 1)
        #expect(scene.authorization.grants == ["authorization_code", "refresh_token"])
        #expect(try scene.store.load(provider: "sim")?.secret == tokens.first)
    }

    @Test func openRoutersFlowStoresAKeyTheProviderSends() async throws {
        let scene = try Scene()
        defer { scene.close() }
        let credential = try await scene.login(scene.openRouter)
        #expect(credential.kind == .apiKey)
        #expect(credential.secret.hasPrefix("sk-or-v1-sim-"))
        #expect(scene.authorization.grants == ["openrouter_key"])
        let auth = try #require(scene.simulator.requests.first { $0.path.hasPrefix("/auth?") })
        // No state parameter in OpenRouter's flow: it rides in the callback path instead.
        let callback = try #require(URLComponents(string: auth.path)?.queryItems?.first { $0.name == "callback_url" }?.value)
        #expect(callback.hasPrefix("http://127.0.0.1:") && callback.contains("/callback/"))
        _ = try await ask(try scene.provider(type: "openrouter", oauth: scene.openRouter))
        let sent = try #require(scene.simulator.requests.last { $0.path.hasSuffix("/chat/completions") })
        #expect(sent.headers["authorization"] == "Bearer \(credential.secret)")
    }

    @Test func theFileStoreKeepsNamesInsideItsFolderAndRefusesReadableFiles() throws {
        let scene = try Scene()
        defer { scene.close() }
        let credential = StoredCredential(kind: .apiKey, secret: "sk-test-0123456789", obtainedAt: Date(timeIntervalSince1970: 1_700_000_000))
        for name in ["../escape", "a/b", ".hidden", "ok-name_1.x"] {
            try scene.store.save(credential, provider: name)
            #expect(scene.store.file(for: name).deletingLastPathComponent().standardizedFileURL.path == scene.store.directory.standardizedFileURL.path)
            #expect(try scene.store.load(provider: name) == credential)
        }
        #expect(scene.store.file(for: "ok-name_1.x").lastPathComponent == "ok-name_1.x.json")
        let path = scene.store.file(for: "ok-name_1.x").path
        chmod(path, 0o644)
        #expect(throws: SignInError.self) { try scene.store.load(provider: "ok-name_1.x") }
        #expect(try scene.store.delete(provider: "a/b"))
        #expect(try !scene.store.delete(provider: "a/b"))
        #expect(try scene.store.load(provider: "never") == nil)
        // No temporary files are left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: scene.store.directory.path)
        #expect(!left.contains { $0.hasSuffix(".tmp") })
    }

    @Test func oauthTablesAreCheckedWithTheKeyAtFault() throws {
        func settings(_ type: String, _ oauth: [String: ConfigValue]) throws -> ProviderSettings {
            try ProviderSettings(
                name: "p", table: ["type": .string(type), "base_url": .string("https://example.com/v1"), "oauth": .table(oauth)],
                environment: [:])
        }
        let full: [String: ConfigValue] = [
            "authorize_url": .string("https://example.com/authorize"), "token_url": .string("https://example.com/token"),
            "client_id": .string("abc"), "scopes": .array([.string("a"), .string("b")]), "redirect_port": .integer(54545),
            "token_body": .string("json"),
        ]
        let parsed = try #require(try settings("anthropic", full).signIn)
        #expect(parsed.flow == .authorizationCode && parsed.scopes == ["a", "b"] && parsed.redirectPort == 54545 && parsed.tokenBody == .json)
        var missing = full
        missing["client_id"] = nil
        #expect { try settings("anthropic", missing) } throws: { "\($0)".contains("providers.p.oauth.client_id") }
        #expect { try settings("anthropic", full.merging(["redirect_port": .integer(70000)]) { $1 }) } throws: {
            "\($0)".contains("providers.p.oauth.redirect_port")
        }
        #expect { try settings("anthropic", full.merging(["colour": .string("x")]) { $1 }) } throws: { "\($0)".contains("providers.p.oauth.colour") }
        // OpenRouter's built-in flow; its key exchange follows the configured base URL.
        let openRouter = try #require(try ProviderSettings(name: "or", table: ["type": .string("openrouter")], environment: [:]).signIn)
        #expect(openRouter.flow == .openRouterKey && openRouter.tokenURL.absoluteString == "https://openrouter.ai/api/v1/auth/keys")
        #expect(try settings("openrouter", [:]).signIn?.tokenURL.absoluteString == "https://example.com/v1/auth/keys")
        #expect(try ProviderSettings(name: "o", table: ["type": .string("openai")], environment: [:]).signIn == nil)
    }
}
