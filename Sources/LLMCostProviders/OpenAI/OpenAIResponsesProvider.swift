import Foundation

/// The OpenAI Responses API (`POST {base}/responses`), always streamed.
public struct OpenAIResponsesProvider: LLMProvider {
    public let name: String
    public let defaultModel: String
    public let baseURL: URL
    public let auth: AuthMethod
    public let extraHeaders: [String: String]
    private let apiKey: String?
    /// OAuth access tokens (a signed-in provider), sent instead of `apiKey`.
    private let tokens: BearerTokenProvider?
    /// The provider whose prices apply, when not `name` (set from `ProviderSettings.pricedAs`).
    public var pricingProvider: String? = nil
    let context: HTTPCallContext

    public init(
        name: String = "openai-responses", model: String, baseURL: URL = OpenAIChatProvider.openAIBaseURL,
        auth: AuthMethod = .bearer, apiKey: String?, extraHeaders: [String: String] = [:],
        timeouts: Timeouts = .default, retry: RetryPolicy = .default,
        transport: any HTTPTransport = URLSessionTransport(), rawLog: RawLogHook? = nil, tokens: BearerTokenProvider? = nil
    ) {
        self.name = name
        self.defaultModel = model
        self.baseURL = baseURL
        self.auth = auth
        self.apiKey = apiKey
        self.tokens = tokens
        self.extraHeaders = extraHeaders
        context = HTTPCallContext(
            provider: name, transport: transport, timeouts: timeouts, retry: retry, rawLog: rawLog,
            secrets: apiKey.map { [$0] } ?? [], requestIDHeader: "x-request-id")
    }

    public func capabilities(for model: String) -> ProviderCapabilities {
        ProviderCapabilities(
            tools: true, reasoning: OpenAIChatProvider.isReasoningModel(model), vision: true, streamingUsage: true)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let body = WireJSON.data(Self.body(for: request, model: request.model ?? defaultModel))
        let url = baseURL.appendingPathComponent("responses"), name = name
        let auth = auth, apiKey = apiKey, tokens = tokens, extraHeaders = extraHeaders
        return context.eventStream(
            canRefreshCredentials: tokens != nil,
            build: { refresh in
                var headers: [(name: String, value: String)] = [("content-type", "application/json"), ("accept", "text/event-stream")]
                if let header = try await auth.header(key: apiKey, tokens: tokens, refresh: refresh) { headers.append(header) }
                for (header, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { headers.append((header, value)) }
                return HTTPRequestSpec(url: url, headers: headers, body: body)
            },
            makeParser: { requestID in OpenAIResponsesStreamParser(provider: name, requestID: requestID) })
    }

    static func body(for request: ChatRequest, model: String) -> [String: Any] {
        var input: [[String: Any]] = []
        for message in request.messages {
            switch message {
            case .user(let parts):
                input.append(["role": "user", "content": parts.map { part -> [String: Any] in
                    switch part {
                    case .text(let text): return ["type": "input_text", "text": text]
                    case .imageBase64(let mediaType, let data):
                        return ["type": "input_image", "image_url": "data:\(mediaType);base64,\(data)"]
                    case .imageURL(let url): return ["type": "input_image", "image_url": url]
                    }
                }])
            case .assistant(let text, let toolCalls):
                if !text.isEmpty {
                    input.append(["role": "assistant", "content": [["type": "output_text", "text": text]]])
                }
                for call in toolCalls {
                    input.append(["type": "function_call", "call_id": call.id, "name": call.name, "arguments": call.arguments])
                }
            case .toolResult(let callID, let content, _):
                input.append(["type": "function_call_output", "call_id": callID, "output": content])
            }
        }
        var body: [String: Any] = ["model": model, "input": input, "stream": true]
        if let system = request.system, !system.isEmpty { body["instructions"] = system }
        if let maxTokens = request.maxTokens { body["max_output_tokens"] = maxTokens }
        if let temperature = request.temperature { body["temperature"] = temperature }
        if let effort = request.reasoningEffort { body["reasoning"] = ["effort": effort] }
        if !request.metadata.isEmpty { body["metadata"] = request.metadata }
        if !request.tools.isEmpty {
            body["tools"] = request.tools.map { tool -> [String: Any] in
                var entry: [String: Any] = ["type": "function", "name": tool.name, "parameters": tool.parameters.foundationValue]
                if let description = tool.description { entry["description"] = description }
                return entry
            }
        }
        if let choice = request.toolChoice {
            switch choice {
            case .auto: body["tool_choice"] = "auto"
            case .none: body["tool_choice"] = "none"
            case .required: body["tool_choice"] = "required"
            case .tool(let name): body["tool_choice"] = ["type": "function", "name": name]
            }
        }
        return body
    }
}
