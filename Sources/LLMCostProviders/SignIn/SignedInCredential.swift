import Foundation
import Synchronization

/// The credential `llm-cost login` stored for one provider, as calls use it: an API key as is, an
/// OAuth access token refreshed before it expires and once after a 401.
///
/// Refreshes are serialized across tasks and processes through the store's exclusive access,
/// and each re-reads the store first: when another process refreshed meanwhile, its token is
/// used and the refresh token (which the server may rotate) is never spent twice.
public final class SignedInCredential: Sendable {
    public let provider: String
    let store: any CredentialStore
    let endpoint: TokenEndpoint?
    let now: @Sendable () -> Date
    private let latest: Mutex<StoredCredential>

    /// - Parameters:
    ///   - credential: what the store holds now.
    ///   - endpoint: where the token is refreshed; `nil` when the provider has no sign-in
    ///     settings any more (the token is used until it expires).
    public init(
        provider: String, credential: StoredCredential, store: any CredentialStore, endpoint: TokenEndpoint?,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.provider = provider
        self.store = store
        self.endpoint = endpoint
        self.now = now
        latest = Mutex(credential)
    }

    /// The credential as this process last saw it.
    public var current: StoredCredential { latest.withLock { $0 } }

    /// Tokens for an adapter: `token(forceRefresh:)` per call.
    public var bearerTokens: BearerTokenProvider {
        BearerTokenProvider { [self] forceRefresh in try await token(forceRefresh: forceRefresh) }
    }

    /// The secret to send: the stored one while it is valid, else a refreshed one. With
    /// `forceRefresh` (the server answered 401 to the current one) a new one is always sought.
    public func token(forceRefresh: Bool) async throws -> String {
        let used = current
        guard used.kind == .oauth, forceRefresh || used.needsRefresh(at: now()) else { return used.secret }
        return try await store.withExclusiveAccess(provider: provider) { () async throws -> String in
            guard let stored = try store.load(provider: provider) else {
                throw SignInError.signInAgain(provider, reason: "signed out (the stored credential was removed)")
            }
            // Someone else refreshed while this one waited or since this process read the store.
            if stored.secret != used.secret, !stored.needsRefresh(at: now()) {
                latest.withLock { $0 = stored }
                return stored.secret
            }
            guard let endpoint else {
                throw SignInError.signInAgain(provider, reason: "the token expired and the provider has no sign-in settings to refresh it")
            }
            let fresh = try await endpoint.refresh(stored)
            // The server has spent the old refresh token: the new one is kept in memory even when
            // the store cannot take it, and this call goes ahead with the fresh token.
            latest.withLock { $0 = fresh }
            try? store.save(fresh, provider: provider)
            return fresh.secret
        }
    }
}
