import LLMCostCore
import LLMCostProviders
import LLMCostTokenizer

/// Estimates the tokens of a request before it is sent: exact with the model's encoding where
/// it is public, the heuristic otherwise (the upper end of its band, for the worst case).
struct InputEstimator: Sendable {
    /// Per-message framing tokens (role markers), as OpenAI's chat format counts them.
    static let tokensPerMessage = 3
    /// A flat guess for an image: providers bill by size, which we do not decode.
    static let tokensPerImage = 1_500

    struct Estimate {
        /// The central estimate.
        var tokens: Int64
        /// The upper end of the band (equal to `tokens` when exact).
        var high: Int64
        /// Counted with the model's own encoding: nothing to correct.
        var isExact: Bool
        /// The top of the band for the prompt's prefix up to its last cache breakpoint (0 without
        /// one), and up to its last breakpoint with a one-hour TTL: what may be written to the cache.
        var cachedPrefixHigh: Int64 = 0
        var oneHourPrefixHigh: Int64 = 0
    }

    /// Counts in the order a cached prefix runs (tools, system, messages), noting the running
    /// total at each cache breakpoint.
    func estimate(_ request: ChatRequest, model: String) -> Estimate {
        let counter = TokenCounter.forModel(model)
        var tokens = 3 // reply priming
        var high = 3
        var cachedPrefix = 0
        var oneHourPrefix = 0
        func add(_ text: String) {
            let counted = counter.count(text)
            tokens += counted.tokens
            high += counted.high
        }
        func breakpoint(at position: CacheBreakpoint.Position) {
            for mark in request.cacheBreakpoints where mark.position == position {
                cachedPrefix = max(cachedPrefix, high)
                if mark.ttl == .oneHour { oneHourPrefix = max(oneHourPrefix, high) }
            }
        }
        for tool in request.tools { add(tool.name + (tool.description ?? "") + "\(tool.parameters)") }
        breakpoint(at: .tools)
        if let system = request.system { add(system); tokens += Self.tokensPerMessage; high += Self.tokensPerMessage }
        breakpoint(at: .system)
        for (index, message) in request.messages.enumerated() {
            defer { breakpoint(at: .message(index)) }
            tokens += Self.tokensPerMessage
            high += Self.tokensPerMessage
            switch message {
            case .user(let parts):
                for part in parts {
                    switch part {
                    case .text(let text): add(text)
                    case .imageBase64, .imageURL:
                        tokens += Self.tokensPerImage
                        high += Self.tokensPerImage
                    }
                }
            case .assistant(let text, let toolCalls):
                add(text)
                for call in toolCalls { add(call.name + call.arguments) }
            case .toolResult(_, let content, _): add(content)
            }
        }
        return Estimate(
            tokens: Int64(tokens), high: Int64(high), isExact: counter.encoding != nil, cachedPrefixHigh: Int64(cachedPrefix),
            oneHourPrefixHigh: Int64(oneHourPrefix))
    }

    /// Tokens of text the model produced (for a stream that ended without usage).
    func count(_ text: String, model: String) -> Int64 {
        Int64(TokenCounter.forModel(model).count(text).tokens)
    }
}
