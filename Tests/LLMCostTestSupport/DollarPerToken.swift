import LLMCostCore

/// $1 per input token and $1 per output token: costs and worst cases are readable sums.
public struct DollarPerToken: CallPricing {
    public init() {}

    public func quote(for record: CallRecord) -> PriceQuote? {
        PriceQuote(
            cost: Money(nanoUSD: (record.usage.totalInputTokens + record.usage.outputTokens) * Money.unitsPerDollar),
            entryID: "test/dollar")
    }
}
