/// One request to a model, in a provider-neutral shape; each adapter converts it to its wire format.
public struct ChatRequest: Sendable, Hashable {
    /// The model to call; `nil` uses the provider's configured model.
    public var model: String?
    /// The system prompt (Anthropic `system`, OpenAI `system` message, Responses `instructions`).
    public var system: String?
    public var messages: [ChatMessage]
    /// Tools the model may call, as JSON Schema function definitions.
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice?
    /// The output limit. Anthropic requires one, so its adapter falls back to 1024 when `nil`.
    public var maxTokens: Int?
    public var temperature: Double?
    public var stopSequences: [String]
    /// Extended thinking budget (Anthropic `thinking.budget_tokens`).
    public var reasoningBudgetTokens: Int?
    /// Reasoning effort (`low`, `medium`, `high`) for OpenAI reasoning models.
    public var reasoningEffort: String?
    /// Free-form metadata; Anthropic takes `user_id`, the Responses API takes all of it.
    public var metadata: [String: String]
    /// Prompt-cache breakpoints (Anthropic `cache_control`): the prefix up to each may be written
    /// to the cache, which bills above plain input (1.25x for 5 minutes, 2x for an hour).
    public var cacheBreakpoints: [CacheBreakpoint]
    /// Tools the provider runs itself and bills per use (Anthropic web search and web fetch).
    public var serverTools: [ServerTool]

    public init(
        model: String? = nil, system: String? = nil, messages: [ChatMessage], tools: [ToolDefinition] = [],
        toolChoice: ToolChoice? = nil, maxTokens: Int? = nil, temperature: Double? = nil,
        stopSequences: [String] = [], reasoningBudgetTokens: Int? = nil, reasoningEffort: String? = nil,
        metadata: [String: String] = [:], cacheBreakpoints: [CacheBreakpoint] = [], serverTools: [ServerTool] = []
    ) {
        self.model = model
        self.system = system
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.stopSequences = stopSequences
        self.reasoningBudgetTokens = reasoningBudgetTokens
        self.reasoningEffort = reasoningEffort
        self.metadata = metadata
        self.cacheBreakpoints = cacheBreakpoints
        self.serverTools = serverTools
    }

    /// A one-message request: the common case of `llm-cost prompt`.
    public static func user(_ text: String, system: String? = nil, maxTokens: Int? = nil) -> ChatRequest {
        ChatRequest(system: system, messages: [.user(text)], maxTokens: maxTokens)
    }
}

/// A prompt-cache breakpoint: everything from the start of the prompt (tools, then system,
/// then messages, in that order) up to and including `position` is cached for `ttl`.
public struct CacheBreakpoint: Sendable, Hashable {
    /// The last part of the prompt the cached prefix includes.
    public enum Position: Sendable, Hashable {
        /// The tool definitions.
        case tools
        /// The system prompt.
        case system
        /// The message at this index of `messages` (its last content block).
        case message(Int)
    }

    /// How long the provider keeps the prefix: 5 minutes (writes bill 1.25x input) or an hour (2x).
    public enum TTL: String, Sendable, Hashable {
        case fiveMinutes = "5m"
        case oneHour = "1h"
    }

    public var position: Position
    public var ttl: TTL

    public init(_ position: Position, ttl: TTL = .fiveMinutes) {
        self.position = position
        self.ttl = ttl
    }
}

/// A tool the provider runs on its side during the request, billed per use.
public struct ServerTool: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Anthropic `web_search`: a fee per search, and the results become input tokens.
        case webSearch = "web_search"
        /// Anthropic `web_fetch`: no fee, but the fetched content becomes input tokens.
        case webFetch = "web_fetch"
    }

    public var kind: Kind
    /// The most uses in one request (`max_uses`); `nil` leaves it to the model.
    public var maxUses: Int?
    /// Web fetch: the most tokens of fetched content one use adds (`max_content_tokens`).
    public var maxContentTokens: Int?

    public init(_ kind: Kind, maxUses: Int? = nil, maxContentTokens: Int? = nil) {
        self.kind = kind
        self.maxUses = maxUses
        self.maxContentTokens = maxContentTokens
    }
}

/// One turn of the conversation.
public enum ChatMessage: Sendable, Hashable {
    /// The user speaks: text and, where the provider takes them, images.
    case user([ContentPart])
    /// The model spoke earlier: its text and the tools it called.
    case assistant(text: String, toolCalls: [ToolCall])
    /// The result of running a tool the model called.
    case toolResult(callID: String, content: String, isError: Bool)

    public static func user(_ text: String) -> ChatMessage { .user([.text(text)]) }
    public static func assistant(_ text: String) -> ChatMessage { .assistant(text: text, toolCalls: []) }
}

/// A piece of user content.
public enum ContentPart: Sendable, Hashable {
    case text(String)
    /// Base64-encoded image bytes with their media type (`image/png`, ...).
    case imageBase64(mediaType: String, data: String)
    /// An image the provider fetches itself.
    case imageURL(String)
}

/// A function the model may call: a name, what it does, and its parameters as JSON Schema.
public struct ToolDefinition: Sendable, Hashable {
    public var name: String
    public var description: String?
    /// The JSON Schema of the arguments object.
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object"]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// Reads OpenAI's function format, the common format: either
    /// `{"type":"function","function":{"name":..,"description":..,"parameters":..}}` or the inner object.
    public init?(openAIFunction value: JSONValue) {
        let function = value["function"] ?? value
        guard let name = function["name"]?.stringValue else { return nil }
        self.init(
            name: name, description: function["description"]?.stringValue,
            parameters: function["parameters"] ?? ["type": "object"])
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable {
    case auto
    case none
    /// Some tool must be called (Anthropic `any`, OpenAI `required`).
    case required
    case tool(name: String)
}

/// A tool call the model made.
public struct ToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The arguments exactly as the model wrote them (JSON text, possibly cut off).
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The arguments parsed, or `nil` when they are not complete JSON (a cut-off stream).
    /// An empty argument string means "no arguments": an empty object.
    public var parsedArguments: JSONValue? {
        arguments.isEmpty ? .object([:]) : JSONValue(jsonText: arguments)
    }
}
