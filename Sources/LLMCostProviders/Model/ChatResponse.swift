import LLMCostCore

/// A whole reply.
public struct ChatResponse: Sendable, Hashable {
    /// The text the model wrote.
    public var text: String
    /// Reasoning text, where the provider returns it.
    public var reasoning: String
    public var toolCalls: [ToolCall]
    public var stopReason: StopReason
    /// The provider's usage, or `nil` when it reported none (then the meter estimates).
    public var usage: Usage?
    public var requestID: String?
    public var messageID: String?
    /// The model as the provider reported it.
    public var model: String?
    /// Through a router: the candidate that served the call.
    public var route: RouteTaken?

    public init(text: String, reasoning: String = "", toolCalls: [ToolCall] = [], stopReason: StopReason,
                usage: Usage?, requestID: String? = nil, messageID: String? = nil, model: String? = nil, route: RouteTaken? = nil) {
        self.text = text
        self.reasoning = reasoning
        self.toolCalls = toolCalls
        self.stopReason = stopReason
        self.usage = usage
        self.requestID = requestID
        self.messageID = messageID
        self.model = model
        self.route = route
    }
}

/// Folds stream events into a `ChatResponse`; also what a caller uses to keep the usage of a
/// stream that fails midway (`lastUsage`).
public struct ResponseAccumulator: Sendable {
    public private(set) var start = StreamStart()
    public private(set) var text = ""
    public private(set) var reasoning = ""
    private var toolCalls: [Int: ToolCall] = [:]
    /// The last usage seen: authoritative, since every update is cumulative.
    public private(set) var lastUsage: Usage?
    public private(set) var stopReason: StopReason?
    /// Whether any text, reasoning or tool call arrived (a partial reply, if the stream fails).
    public private(set) var hasContent = false

    public init() {}

    public mutating func apply(_ event: StreamEvent) {
        switch event {
        case .started(let start): self.start = start
        case .textDelta(let delta):
            text += delta
            hasContent = true
        case .reasoningDelta(let delta):
            reasoning += delta
            hasContent = true
        case .toolCallStart(let index, let id, let name):
            toolCalls[index] = ToolCall(id: id, name: name, arguments: "")
            hasContent = true
        case .toolCallArgumentsDelta(let index, let delta):
            toolCalls[index, default: ToolCall(id: "", name: "", arguments: "")].arguments += delta
        case .toolCallEnd: break
        case .usage(let usage): lastUsage = usage
        case .finished(let reason, let usage):
            stopReason = reason
            if let usage { lastUsage = usage }
        }
    }

    /// The response, once the `finished` event arrived.
    public var response: ChatResponse? {
        guard let stopReason else { return nil }
        return ChatResponse(
            text: text, reasoning: reasoning,
            toolCalls: toolCalls.sorted { $0.key < $1.key }.map(\.value),
            stopReason: stopReason, usage: lastUsage, requestID: start.requestID,
            messageID: start.messageID, model: start.model, route: start.route)
    }
}
