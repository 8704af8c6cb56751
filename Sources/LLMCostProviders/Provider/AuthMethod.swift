/// How an HTTP provider sends its key.
public enum AuthMethod: String, Sendable, Hashable, CaseIterable {
    /// `Authorization: Bearer KEY` (OpenAI, OpenRouter, most compatible servers).
    case bearer
    /// `api-key: KEY` (Azure OpenAI).
    case apiKey = "api-key"
    /// `x-api-key: KEY` (Anthropic, some gateways).
    case xAPIKey = "x-api-key"
    /// No auth header (Ollama, a local vLLM).
    case none

    /// The header carrying `key`, or `nil` for `.none` or a missing key.
    public func header(for key: String?) -> (name: String, value: String)? {
        guard let key, !key.isEmpty else { return nil }
        switch self {
        case .bearer: return ("authorization", "Bearer \(key)")
        case .apiKey: return ("api-key", key)
        case .xAPIKey: return ("x-api-key", key)
        case .none: return nil
        }
    }

    /// The auth header of one call: an OAuth access token from `tokens` when there is one
    /// (always `Authorization: Bearer`; `refresh` after a 401), else `header(for: key)`.
    func header(key: String?, tokens: BearerTokenProvider?, refresh: Bool) async throws -> (name: String, value: String)? {
        if let tokens { return ("authorization", "Bearer \(try await tokens.token(forceRefresh: refresh))") }
        return header(for: key)
    }
}
