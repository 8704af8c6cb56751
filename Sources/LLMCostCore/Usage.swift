/// Token and request counts of one call, in one shape for every provider.
///
/// The fields are disjoint and additive, in Anthropic's native shape: `inputTokens` is input
/// that was neither read from nor written to a prompt cache, so the whole prompt is
/// `inputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens`. The one subset is
/// `reasoningTokens`, which is counted inside `outputTokens` (both providers bill it as
/// output). Adapters convert other shapes (OpenAI's `prompt_tokens` includes its cached
/// tokens) into this one. Usages add field by field.
public struct Usage: Sendable, Hashable, Codable {
    /// Input tokens billed at the plain input price (no cache involved).
    public var inputTokens: Int64
    /// Output tokens, reasoning included.
    public var outputTokens: Int64
    /// Input tokens read from a prompt cache.
    public var cacheReadTokens: Int64
    /// Input tokens written to a prompt cache that lives 5 minutes.
    public var cacheWrite5mTokens: Int64
    /// Input tokens written to a prompt cache that lives 1 hour.
    public var cacheWrite1hTokens: Int64
    /// Reasoning ("thinking") tokens: a subset of `outputTokens`, never added to it.
    public var reasoningTokens: Int64
    /// Server-side web search requests, billed per request.
    public var webSearchRequests: Int64
    /// Server-side web fetch requests.
    public var webFetchRequests: Int64

    public init(
        inputTokens: Int64 = 0, outputTokens: Int64 = 0, cacheReadTokens: Int64 = 0,
        cacheWrite5mTokens: Int64 = 0, cacheWrite1hTokens: Int64 = 0, reasoningTokens: Int64 = 0,
        webSearchRequests: Int64 = 0, webFetchRequests: Int64 = 0
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWrite5mTokens = cacheWrite5mTokens
        self.cacheWrite1hTokens = cacheWrite1hTokens
        self.reasoningTokens = reasoningTokens
        self.webSearchRequests = webSearchRequests
        self.webFetchRequests = webFetchRequests
    }

    public static let zero = Usage()

    /// The largest count one call may carry (10^15): sums over billions of such calls still fit
    /// the ledger's 64-bit integers, and no real call comes near it.
    public static let maximumCount: Int64 = 1_000_000_000_000_000

    /// All cache writes, 5-minute and 1-hour.
    public var cacheWriteTokens: Int64 { cacheWrite5mTokens + cacheWrite1hTokens }

    /// The whole prompt: uncached input plus cache reads and writes.
    public var totalInputTokens: Int64 { inputTokens + cacheReadTokens + cacheWriteTokens }

    /// Every token of the call, input and output.
    public var totalTokens: Int64 { totalInputTokens + outputTokens }

    /// Every count under its interchange name (`input_tokens`, ..., `web_fetch_requests`), in
    /// the order the JSONL format lists them.
    public var namedCounts: [(name: String, value: Int64)] {
        [
            ("input_tokens", inputTokens), ("output_tokens", outputTokens),
            ("cache_read_tokens", cacheReadTokens), ("cache_write_5m_tokens", cacheWrite5mTokens),
            ("cache_write_1h_tokens", cacheWrite1hTokens), ("reasoning_tokens", reasoningTokens),
            ("web_search_requests", webSearchRequests), ("web_fetch_requests", webFetchRequests),
        ]
    }

    /// A description of the first rule the counts break, or `nil` when they are consistent:
    /// no negative count, and reasoning no larger than output.
    public var inconsistency: String? {
        let fields = namedCounts
        if let negative = fields.first(where: { $0.1 < 0 }) {
            return "\(negative.0) is negative (\(negative.1))"
        }
        if let huge = fields.first(where: { $0.1 > Usage.maximumCount }) {
            return "\(huge.0) is \(huge.1), above the \(Usage.maximumCount) a call can have"
        }
        if reasoningTokens > outputTokens {
            return "reasoning_tokens (\(reasoningTokens)) exceeds output_tokens (\(outputTokens)); reasoning is part of output"
        }
        return nil
    }

    /// Whether these counts are a later, larger copy of `other`'s: more tokens in all, or as
    /// many and more server-tool requests. Logs that write one response several times as it
    /// streams (input fixed, output growing) keep the largest copy.
    public func isLarger(than other: Usage) -> Bool {
        if totalTokens != other.totalTokens { return totalTokens > other.totalTokens }
        return webSearchRequests + webFetchRequests > other.webSearchRequests + other.webFetchRequests
    }

    public static func - (lhs: Usage, rhs: Usage) -> Usage {
        var difference = lhs
        difference -= rhs
        return difference
    }

    public static func -= (lhs: inout Usage, rhs: Usage) {
        lhs.inputTokens -= rhs.inputTokens
        lhs.outputTokens -= rhs.outputTokens
        lhs.cacheReadTokens -= rhs.cacheReadTokens
        lhs.cacheWrite5mTokens -= rhs.cacheWrite5mTokens
        lhs.cacheWrite1hTokens -= rhs.cacheWrite1hTokens
        lhs.reasoningTokens -= rhs.reasoningTokens
        lhs.webSearchRequests -= rhs.webSearchRequests
        lhs.webFetchRequests -= rhs.webFetchRequests
    }

    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        var sum = lhs
        sum += rhs
        return sum
    }

    public static func += (lhs: inout Usage, rhs: Usage) {
        lhs.inputTokens += rhs.inputTokens
        lhs.outputTokens += rhs.outputTokens
        lhs.cacheReadTokens += rhs.cacheReadTokens
        lhs.cacheWrite5mTokens += rhs.cacheWrite5mTokens
        lhs.cacheWrite1hTokens += rhs.cacheWrite1hTokens
        lhs.reasoningTokens += rhs.reasoningTokens
        lhs.webSearchRequests += rhs.webSearchRequests
        lhs.webFetchRequests += rhs.webFetchRequests
    }
}
