import Foundation

/// OpenAI chat completions and everything that speaks it: OpenAI, OpenRouter, Azure OpenAI,
/// Ollama, vLLM, any base URL. Always streamed, always asking for usage in the stream.
public struct OpenAIChatProvider: LLMProvider {
    public let name: String
    public let defaultModel: String
    /// The full chat completions URL (with `?api-version=` for Azure).
    public let endpoint: URL
    public let auth: AuthMethod
    public let extraHeaders: [String: String]
    /// `max_completion_tokens` for OpenAI and Azure, `max_tokens` for compatible servers.
    public let maxTokensField: String
    /// The provider whose prices apply, when not `name` (set from `ProviderSettings.pricedAs`).
    public var pricingProvider: String? = nil
    private let apiKey: String?
    /// OAuth access tokens (a signed-in provider), sent instead of `apiKey`.
    private let tokens: BearerTokenProvider?
    private let baseCapabilities: ProviderCapabilities
    let context: HTTPCallContext

    public init(
        name: String, model: String, endpoint: URL, auth: AuthMethod, apiKey: String?,
        extraHeaders: [String: String] = [:], maxTokensField: String = "max_tokens",
        capabilities: ProviderCapabilities = ProviderCapabilities(streamingUsage: false),
        timeouts: Timeouts = .default, retry: RetryPolicy = .default,
        transport: any HTTPTransport = URLSessionTransport(), rawLog: RawLogHook? = nil, tokens: BearerTokenProvider? = nil
    ) {
        self.name = name
        self.defaultModel = model
        self.endpoint = endpoint
        self.auth = auth
        self.apiKey = apiKey
        self.tokens = tokens
        self.extraHeaders = extraHeaders
        self.maxTokensField = maxTokensField
        self.baseCapabilities = capabilities
        context = HTTPCallContext(
            provider: name, transport: transport, timeouts: timeouts, retry: retry, rawLog: rawLog,
            secrets: apiKey.map { [$0] } ?? [], requestIDHeader: "x-request-id")
    }

    /// Whether an OpenAI(-compatible) model id names a reasoning model: the o-series (o1, o3,
    /// o4-mini, ...), gpt-5, and open models that say so (deepseek-r1, ...-reasoning). One rule
    /// for the chat and the Responses adapters.
    static func isReasoningModel(_ model: String) -> Bool {
        let lower = model.lowercased()
        let oSeries = lower.hasPrefix("o") && (lower.dropFirst().first?.isNumber ?? false)
        return oSeries || lower.hasPrefix("gpt-5") || lower.contains("reason") || lower.contains("r1")
    }

    public func capabilities(for model: String) -> ProviderCapabilities {
        var capabilities = baseCapabilities
        let lower = model.lowercased()
        if Self.isReasoningModel(model) { capabilities.reasoning = true }
        if lower.hasPrefix("gpt-4o") || lower.hasPrefix("gpt-4.1") || lower.hasPrefix("gpt-5") || lower.contains("vision") {
            capabilities.vision = true
        }
        return capabilities
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let body = WireJSON.data(OpenAIChatRequestEncoder.body(
            for: request, model: request.model ?? defaultModel, stream: true, maxTokensField: maxTokensField))
        let endpoint = endpoint, name = name
        let auth = auth, apiKey = apiKey, tokens = tokens, extraHeaders = extraHeaders
        return context.eventStream(
            canRefreshCredentials: tokens != nil,
            build: { refresh in
                var headers: [(name: String, value: String)] = [("content-type", "application/json"), ("accept", "text/event-stream")]
                if let header = try await auth.header(key: apiKey, tokens: tokens, refresh: refresh) { headers.append(header) }
                for (header, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { headers.append((header, value)) }
                return HTTPRequestSpec(url: endpoint, headers: headers, body: body)
            },
            makeParser: { requestID in OpenAIChatStreamParser(provider: name, requestID: requestID) })
    }
}

extension OpenAIChatProvider {
    public static let openAIBaseURL = URL(string: "https://api.openai.com/v1")!
    public static let openRouterBaseURL = URL(string: "https://openrouter.ai/api/v1")!
    public static let ollamaBaseURL = URL(string: "http://localhost:11434/v1")!
    public static let vLLMBaseURL = URL(string: "http://localhost:8000/v1")!

    /// `{base}/chat/completions`, the path every OpenAI-compatible server serves.
    public static func chatCompletionsURL(base: URL) -> URL {
        base.appendingPathComponent("chat/completions")
    }

    /// Azure OpenAI: `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=..`.
    public static func azureChatCompletionsURL(endpoint: URL, deployment: String, apiVersion: String) -> URL? {
        var components = URLComponents(
            url: endpoint.appendingPathComponent("openai/deployments/\(deployment)/chat/completions"),
            resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "api-version", value: apiVersion)]
        return components?.url
    }
}
