import LLMCostCore

/// What a router knows of a request on one candidate before sending it.
public struct CandidateEstimate: Sendable, Hashable {
    /// Input tokens, central estimate.
    public var inputTokens: Int64
    /// The estimated cost of this request on the candidate; `nil` when the model is unpriced.
    public var cost: Money?
    /// The model's context window and output limit, from the pricing table; `nil` when unknown.
    public var contextWindow: Int64?
    public var maxOutput: Int64?

    public init(inputTokens: Int64, cost: Money?, contextWindow: Int64? = nil, maxOutput: Int64? = nil) {
        self.inputTokens = inputTokens
        self.cost = cost
        self.contextWindow = contextWindow
        self.maxOutput = maxOutput
    }
}

/// Estimates requests on candidates, for `cheapest` and for context requirements. The metering
/// layer's is the one `llm-cost estimate` uses (tokenizer or corrected heuristic, pricing table).
///
/// Requirements: `Sendable`; cheap enough to call once per candidate per request; never throws
/// (what it cannot tell is `nil`).
public protocol CandidateEstimator: Sendable {
    func estimate(_ request: ChatRequest, provider: any LLMProvider, model: String) -> CandidateEstimate
}

/// An error by which a candidate declines a call before anything is sent, leaving it to the
/// next one: a budget of that candidate's scope that refuses it (the metering layer's).
public protocol CandidateRefusal: Error {
    /// Whether another candidate may take the call.
    var passesToNextCandidate: Bool { get }
}

/// The route a router's call took: which candidate served it, after how many attempts.
public struct RouteTaken: Sendable, Hashable {
    /// The router's name.
    public var router: String
    /// The candidate provider that served the call, and the model asked of it.
    public var provider: String
    public var model: String
    /// 1 when the first candidate tried served it; more after fallbacks.
    public var attempt: Int

    public init(router: String, provider: String, model: String, attempt: Int) {
        self.router = router
        self.provider = provider
        self.model = model
        self.attempt = attempt
    }
}
