import Foundation
import LLMCostCore

/// The Anthropic Messages API (`POST {base}/v1/messages`), always streamed.
///
/// Authenticates with an API key (`x-api-key`) or an OAuth bearer token from a
/// `BearerTokenProvider` (subscription logins), which is asked again, with `forceRefresh`,
/// once after a 401.
public struct AnthropicProvider: LLMProvider {
    /// How requests prove who we are.
    public enum Credentials: Sendable {
        case apiKey(String)
        /// An OAuth access token, fetched per call so it can be refreshed.
        case oauth(BearerTokenProvider)
        /// No auth header (a local proxy that adds its own).
        case none
    }

    public static let defaultBaseURL = URL(string: "https://api.anthropic.com")!
    public static let apiVersion = "2023-06-01"

    public let name: String
    public let defaultModel: String
    public let baseURL: URL
    public let credentials: Credentials
    public let extraHeaders: [String: String]
    let context: HTTPCallContext
    /// The provider whose prices apply, when not `name` (set from `ProviderSettings.pricedAs`).
    public var pricingProvider: String? = nil

    public init(
        name: String = "anthropic", model: String, baseURL: URL = AnthropicProvider.defaultBaseURL,
        credentials: Credentials, extraHeaders: [String: String] = [:], timeouts: Timeouts = .default,
        retry: RetryPolicy = .default, transport: any HTTPTransport = URLSessionTransport(), rawLog: RawLogHook? = nil
    ) {
        self.name = name
        self.defaultModel = model
        self.baseURL = baseURL
        self.credentials = credentials
        self.extraHeaders = extraHeaders
        var secrets: [String] = []
        if case .apiKey(let key) = credentials { secrets.append(key) }
        context = HTTPCallContext(
            provider: name, transport: transport, timeouts: timeouts, retry: retry, rawLog: rawLog,
            secrets: secrets, requestIDHeader: "request-id")
    }

    public func capabilities(for model: String) -> ProviderCapabilities {
        // Extended thinking arrived with Claude 3.7; everything since is a reasoning model.
        let oldModel = model.hasPrefix("claude-3-") && !model.hasPrefix("claude-3-7")
        return ProviderCapabilities(
            tools: true, reasoning: !oldModel, vision: true, streamingUsage: true,
            defaultMaxOutputTokens: AnthropicRequestEncoder.defaultMaxTokens)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let model = request.model ?? defaultModel
        let body = WireJSON.data(AnthropicRequestEncoder.body(for: request, model: model, stream: true))
        let url = baseURL.appendingPathComponent("v1/messages")
        let name = name, credentials = credentials, extraHeaders = extraHeaders
        return context.eventStream(
            canRefreshCredentials: { if case .oauth = credentials { return true } else { return false } }(),
            build: { refresh in
                var headers: [(name: String, value: String)] = [
                    ("content-type", "application/json"), ("accept", "text/event-stream"),
                    ("anthropic-version", Self.apiVersion),
                ]
                var betas = AnthropicRequestEncoder.betas(for: request)
                switch credentials {
                case .apiKey(let key): headers.append(("x-api-key", key))
                case .oauth(let tokens):
                    let token = try await tokens.token(forceRefresh: refresh)
                    headers.append(("authorization", "Bearer \(token)"))
                    betas.append(AnthropicRequestEncoder.oauthBeta)
                case .none: break
                }
                if !betas.isEmpty { headers.append(("anthropic-beta", betas.joined(separator: ","))) }
                for (header, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { headers.append((header, value)) }
                return HTTPRequestSpec(url: url, headers: headers, body: body)
            },
            makeParser: { requestID in AnthropicStreamParser(provider: name, requestID: requestID) })
    }
}

/// Supplies OAuth bearer tokens, refreshing them when asked (after a 401) or when expired.
public struct BearerTokenProvider: Sendable {
    private let fetch: @Sendable (_ forceRefresh: Bool) async throws -> String

    public init(_ fetch: @escaping @Sendable (_ forceRefresh: Bool) async throws -> String) {
        self.fetch = fetch
    }

    public func token(forceRefresh: Bool) async throws -> String { try await fetch(forceRefresh) }
}
