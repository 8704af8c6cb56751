import Foundation
import LLMCostCore
import LLMCostProviders
import LLMCostStore

/// What a call will cost, estimated before it is sent (`llm-cost estimate`, and the meter's own
/// view of a request): input tokens, exact or by the heuristic corrected from the ledger; the
/// output the model has produced per call lately; and the worst case a `block` budget reserves,
/// input at the top of its band plus `max_tokens` of output.
public struct CallEstimate: Sendable {
    public var provider: String
    public var model: String
    /// Input tokens: `tokens` is the central estimate, `high` the top of the band.
    public var input: InputEstimate
    /// The per-model correction applied to a heuristic count (`.none` when exact or not learned).
    public var correction: EstimateCorrection
    /// Output tokens to expect: given by the caller, or the mean of the model's recent calls,
    /// capped at `maxOutput`; `nil` when nothing is known.
    public var expectedOutput: Int64?
    /// Where `expectedOutput` comes from, for people: "given", "mean of 120 calls in the last 30 days".
    public var expectedOutputBasis: String?
    /// `max_tokens` of the request; else the adapter's default, the model's `max_output` or the
    /// meter's default (see `WorstCase`).
    public var maxOutput: Int64
    /// Where `maxOutput` comes from: "max_tokens", "the adapter's default max_tokens", "the model's max_output"...
    public var maxOutputBasis: String
    /// The worst case's usage: input at the top of its band (cached prefixes as cache writes),
    /// `maxOutput`, and server tools at their bounds.
    public var worstCaseUsage: Usage
    /// The input alone, at the central estimate (`nil`: the model is unpriced).
    public var inputCost: Money?
    /// Input at the central estimate plus the expected output.
    public var expectedCost: Money?
    /// `worstCaseUsage` priced: what a `block` budget reserves.
    public var worstCaseCost: Money?
    /// The pricing entry that priced it.
    public var pricingEntry: String?

    /// Whether the input was counted with the model's own tokenizer.
    public var inputIsExact: Bool { input.heuristic == nil }

    /// Estimates `request` as sent to `model` through `provider` at `now`. With a ledger, a
    /// heuristic count is corrected by the model's recorded calls (as the meter would) and the
    /// expected output comes from the last `outputWindow` of its calls.
    public static func estimate(
        _ request: ChatRequest, provider: String, model: String, ledger: Ledger?, pricing: (any CallPricing)?,
        expectedOutput given: Int64? = nil, defaultMaxTokens: Int = 4096, adapterMaxOutput: Int? = nil,
        policy: EstimateCorrectionPolicy = .standard, outputWindow: TimeInterval = 30 * 86_400, now: Date = Date()
    ) throws -> CallEstimate {
        let raw = InputEstimator().estimate(request, model: model)
        var correction = EstimateCorrection.none
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        if let ledger, !raw.isExact, policy.isEnabled {
            let since = nowMs - Int64(policy.window * 1000)
            let samples = try ledger.recentHeuristicSamples(provider: provider, model: model, since: since, limit: policy.maximumSamples)
            correction = EstimateCorrection.learn(from: samples, policy: policy)
        }
        let input = correction.apply(to: raw)
        let probe = CallRecord(timestamp: now, provider: provider, model: model)
        let bound = WorstCase.of(
            request, input: input, adapterMaxOutput: adapterMaxOutput, modelMaxOutput: pricing?.maxOutputTokens(for: probe),
            defaultMaxOutput: defaultMaxTokens)
        let maxOutput = bound.maxOutput
        var expected: Int64?
        var basis: String?
        if let given {
            expected = min(given, maxOutput)
            basis = "given"
        } else if let ledger {
            let recent = try ledger.recentOutput(provider: provider, model: model, since: nowMs - Int64(outputWindow * 1000))
            if let mean = recent.meanPerCall {
                expected = min(mean, maxOutput)
                basis = "mean of \(recent.calls) call\(recent.calls == 1 ? "" : "s") in the last \(Int(outputWindow / 86_400)) days"
            }
        }
        func quote(input tokens: Int64, output: Int64) -> PriceQuote? {
            pricing?.quote(for: CallRecord(
                timestamp: now, provider: provider, model: model, usage: Usage(inputTokens: tokens, outputTokens: output)))
        }
        let worst = pricing?.quote(for: CallRecord(timestamp: now, provider: provider, model: model, usage: bound.usage))
        return CallEstimate(
            provider: provider, model: model, input: input, correction: correction, expectedOutput: expected,
            expectedOutputBasis: basis, maxOutput: maxOutput, maxOutputBasis: bound.maxOutputBasis, worstCaseUsage: bound.usage, inputCost: quote(input: input.tokens, output: 0)?.cost,
            expectedCost: expected.flatMap { quote(input: input.tokens, output: $0)?.cost }, worstCaseCost: worst?.cost,
            pricingEntry: worst?.entryID)
    }
}
