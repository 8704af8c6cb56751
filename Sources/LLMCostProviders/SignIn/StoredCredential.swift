import Foundation

/// What `llm-cost login` got for one provider: an API key (OpenRouter's flow) or an OAuth token
/// with, usually, a refresh token and an expiry. Stored as JSON by a `CredentialStore`.
public struct StoredCredential: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A key sent as the provider's API key would be.
        case apiKey = "api_key"
        /// An access token sent as `Authorization: Bearer`, refreshed with `refreshToken`.
        case oauth
    }

    public var kind: Kind
    /// The API key or the access token.
    public var secret: String
    public var refreshToken: String?
    /// When the access token stops working; `nil`: it does not expire (or the server did not say).
    public var expiresAt: Date?
    public var obtainedAt: Date
    public var scopes: [String]

    public init(kind: Kind, secret: String, refreshToken: String? = nil, expiresAt: Date? = nil, obtainedAt: Date, scopes: [String] = []) {
        self.kind = kind
        self.secret = secret
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.obtainedAt = obtainedAt
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case kind, secret
        case refreshToken = "refresh_token"
        case expiresAt = "expires_at"
        case obtainedAt = "obtained_at"
        case scopes
    }

    /// How long before its expiry a token is refreshed: a call that starts just before the
    /// deadline must not reach the server just after it.
    public static let refreshMargin: TimeInterval = 60

    /// Whether the token should be refreshed before it is sent at `now`.
    public func needsRefresh(at now: Date) -> Bool {
        guard kind == .oauth, let expiresAt else { return false }
        return now.addingTimeInterval(Self.refreshMargin) >= expiresAt
    }

    /// The JSON the stores keep (dates as seconds since 1970, so nothing is lost or reformatted).
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(self)
    }

    package static func decoded(from data: Data) throws -> StoredCredential {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(StoredCredential.self, from: data)
    }
}
