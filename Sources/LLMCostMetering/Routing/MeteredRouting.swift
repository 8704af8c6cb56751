import Foundation
import LLMCostCore
import LLMCostProviders
import LLMCostStore

/// A budget's refusal leaves the call to a router's next candidate; an unpriced model under a
/// budget is refused on that candidate only, too.
extension MeteringError: CandidateRefusal {
    public var passesToNextCandidate: Bool { isBudgetExceeded || isUnpricedModel }
}

/// A router's estimates as `llm-cost estimate` makes them (`CallEstimate`): input exact with the
/// model's tokenizer or by the corrected heuristic, output the model's recent mean from the
/// ledger; the cost compared is input plus expected output, or the worst case (input plus
/// `max_tokens`) for a model with no recent calls.
public struct MeteredCandidateEstimator: CandidateEstimator {
    public let pricing: (any CallPricing)?
    public let ledger: Ledger?
    public let defaultMaxTokens: Int

    public init(pricing: (any CallPricing)?, ledger: Ledger?, defaultMaxTokens: Int = 4096) {
        self.pricing = pricing
        self.ledger = ledger
        self.defaultMaxTokens = defaultMaxTokens
    }

    public func estimate(_ request: ChatRequest, provider: any LLMProvider, model: String) -> CandidateEstimate {
        let probe = CallRecord(timestamp: Date(), provider: provider.name, model: model)
        let limits = (contextWindow: pricing?.contextWindow(for: probe), maxOutput: pricing?.maxOutputTokens(for: probe))
        guard let estimate = try? CallEstimate.estimate(
            request, provider: provider.name, model: model, ledger: ledger, pricing: pricing, defaultMaxTokens: defaultMaxTokens,
            adapterMaxOutput: provider.capabilities(for: model).defaultMaxOutputTokens)
        else {
            return CandidateEstimate(inputTokens: 0, cost: nil, contextWindow: limits.contextWindow, maxOutput: limits.maxOutput)
        }
        return CandidateEstimate(
            inputTokens: estimate.input.tokens, cost: estimate.routingCost, contextWindow: limits.contextWindow,
            maxOutput: limits.maxOutput)
    }
}

extension CallEstimate {
    /// What a `cheapest` router compares: input plus expected output, else the worst case.
    public var routingCost: Money? { expectedCost ?? worstCaseCost }
}

extension ProviderRegistry {
    /// The provider called `name`, metered by `meter`. A router is not metered itself: each of
    /// its candidates is, so every call is recorded under the candidate that made it and each
    /// candidate's budgets apply to it, and `cheapest` estimates as `llm-cost estimate` does.
    public func meteredProvider(named name: String, meter: Meter, attribution: MeteringContext = MeteringContext()) throws -> any LLMProvider {
        guard try settings(named: name).type == ProviderSettings.routerType else {
            return MeteredProvider(try provider(named: name), meter: meter, attribution: attribution)
        }
        return try router(
            named: name,
            estimator: MeteredCandidateEstimator(pricing: meter.pricing, ledger: meter.ledger, defaultMaxTokens: meter.defaultMaxTokens),
            wrap: { MeteredProvider($0, meter: meter, attribution: attribution) })
    }
}
