import LLMCostCore

/// One thing a streaming reply tells us, in the same vocabulary for every provider.
///
/// A well-formed stream is: `started`, any mix of deltas and tool call events and `usage`
/// updates, then exactly one `finished`. A failure ends the sequence by throwing a
/// `ProviderError` instead; the `usage` events seen before it are still the best usage known.
public enum StreamEvent: Sendable, Hashable {
    /// The reply began: ids and the model as the provider reports it.
    case started(StreamStart)
    case textDelta(String)
    /// Reasoning ("thinking") text, where the provider streams it.
    case reasoningDelta(String)
    /// A tool call began. `index` numbers tool calls in this reply from 0.
    case toolCallStart(index: Int, id: String, name: String)
    /// More of a tool call's JSON arguments.
    case toolCallArgumentsDelta(index: Int, delta: String)
    case toolCallEnd(index: Int)
    /// The whole usage as now known. Each update replaces the previous one (providers report
    /// cumulative counts): never add two updates together.
    case usage(Usage)
    /// The reply ended normally. `usage` is the final usage, `nil` when the provider sent none.
    case finished(stopReason: StopReason, usage: Usage?)
}

/// What a provider says when a reply starts.
public struct StreamStart: Sendable, Hashable {
    /// The provider's request id (from the response headers), for support tickets and idempotency.
    public var requestID: String?
    /// The id of the message / completion / response.
    public var messageID: String?
    /// The model as the provider reports it (may be a dated id, or a fallback model).
    public var model: String?
    /// Set by a router: the candidate that took the call (the provider named in a report).
    public var route: RouteTaken?

    public init(requestID: String? = nil, messageID: String? = nil, model: String? = nil, route: RouteTaken? = nil) {
        self.requestID = requestID
        self.messageID = messageID
        self.model = model
        self.route = route
    }
}

/// Why the model stopped, normalized across providers; `raw` keeps the provider's word.
public struct StopReason: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case endTurn = "end_turn"
        case maxTokens = "max_tokens"
        case stopSequence = "stop_sequence"
        case toolUse = "tool_use"
        case refusal
        case contentFilter = "content_filter"
        case pauseTurn = "pause_turn"
        case other
    }

    public var kind: Kind
    public var raw: String

    public init(kind: Kind, raw: String) {
        self.kind = kind
        self.raw = raw
    }

    public var description: String { raw }

    /// Anthropic's `stop_reason`.
    static func anthropic(_ raw: String) -> StopReason {
        StopReason(kind: Kind(rawValue: raw) ?? .other, raw: raw)
    }

    /// OpenAI chat's `finish_reason`.
    static func openAIChat(_ raw: String) -> StopReason {
        let kind: Kind
        switch raw {
        case "stop": kind = .endTurn
        case "length": kind = .maxTokens
        case "tool_calls", "function_call": kind = .toolUse
        case "content_filter": kind = .contentFilter
        default: kind = .other
        }
        return StopReason(kind: kind, raw: raw)
    }
}
