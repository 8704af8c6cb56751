import LLMCostCore
import LLMCostProviders

/// The most a request can be billed, as usage to price: what a `block` budget reserves.
///
/// Built from the request itself:
/// - input at the top of its estimate band; the part under a cache breakpoint as a cache write
///   at its TTL (1.25x input for 5 minutes, 2x for an hour on Anthropic), since the first call
///   with a prefix writes it;
/// - output up to the request's `max_tokens`, else the limit the adapter sends, else the model's
///   own `max_output` from the pricing table, else the meter's default;
/// - server tools at their `max_uses` (or `ServerToolAllowance.usesWhenUnbounded`) times their
///   fee, and the tokens their results add to the input;
/// - long-context tiers follow: the pricing table bills the whole request at a tier's prices
///   once this input passes the tier's threshold.
public struct WorstCase: Sendable, Hashable {
    /// The usage to price.
    public var usage: Usage
    /// The output limit assumed, and where it came from ("max_tokens", "the adapter's default",
    /// "the model's max_output", "the meter's default").
    public var maxOutput: Int64
    public var maxOutputBasis: String

    /// Works out the worst case of `request` given its input estimate.
    public static func of(
        _ request: ChatRequest, input: InputEstimate, adapterMaxOutput: Int?, modelMaxOutput: Int64?,
        defaultMaxOutput: Int, allowance: ServerToolAllowance = .standard
    ) -> WorstCase {
        let (maxOutput, basis): (Int64, String) =
            if let limit = request.maxTokens { (Int64(limit), "max_tokens") }
            else if let limit = adapterMaxOutput { (Int64(limit), "the adapter's default max_tokens") }
            else if let limit = modelMaxOutput { (limit, "the model's max_output") }
            else { (Int64(defaultMaxOutput), "the meter's default") }
        var searches: Int64 = 0
        var fetches: Int64 = 0
        var toolInput: Int64 = 0
        for tool in request.serverTools {
            let uses = Int64(max(0, tool.maxUses ?? allowance.usesWhenUnbounded))
            switch tool.kind {
            case .webSearch:
                searches += uses
                toolInput += uses * allowance.tokensPerSearch
            case .webFetch:
                fetches += uses
                toolInput += uses * (tool.maxContentTokens.map { Int64($0) } ?? allowance.tokensPerFetch)
            }
        }
        let cached = min(input.cachedPrefixHigh, input.high)
        let oneHour = min(input.oneHourPrefixHigh, cached)
        let usage = Usage(
            inputTokens: input.high - cached + toolInput, outputTokens: maxOutput, cacheWrite5mTokens: cached - oneHour,
            cacheWrite1hTokens: oneHour, webSearchRequests: searches, webFetchRequests: fetches)
        return WorstCase(usage: usage, maxOutput: maxOutput, maxOutputBasis: basis)
    }
}

/// What the worst case assumes about server tools where the request does not bound them.
public struct ServerToolAllowance: Sendable, Hashable {
    /// Uses assumed for a server tool without `max_uses`.
    public var usesWhenUnbounded: Int
    /// Input tokens one web search's results may add.
    public var tokensPerSearch: Int64
    /// Input tokens one web fetch may add when the tool sets no `max_content_tokens`.
    public var tokensPerFetch: Int64

    public init(usesWhenUnbounded: Int = 5, tokensPerSearch: Int64 = 20_000, tokensPerFetch: Int64 = 100_000) {
        self.usesWhenUnbounded = usesWhenUnbounded
        self.tokensPerSearch = tokensPerSearch
        self.tokensPerFetch = tokensPerFetch
    }

    /// Five uses when unbounded, 20,000 tokens of results per search, 100,000 per fetch.
    public static let standard = ServerToolAllowance()
}
