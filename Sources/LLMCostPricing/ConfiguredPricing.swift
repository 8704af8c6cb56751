import LLMCostCore

/// The pricing table, plus which provider's prices apply to each provider configured under a
/// name of its own: `[providers.work]` of type `openai` is priced as `openai`, while the ledger
/// keeps `work` for attribution.
///
/// Records that name their `pricingProvider` keep it; the others are looked up by provider name
/// in `pricingProviders`, and then by their own name.
public struct ConfiguredPricing: CallPricing {
    public let table: PriceTable
    /// Configured provider name → the provider it is priced as (only names that differ).
    public let pricingProviders: [String: String]

    public init(table: PriceTable, pricingProviders: [String: String] = [:]) {
        self.table = table
        self.pricingProviders = pricingProviders.filter { $0.key != $0.value }
    }

    public func quote(for record: CallRecord) -> PriceQuote? {
        table.quote(for: mapped(record))
    }

    public func maxOutputTokens(for record: CallRecord) -> Int64? {
        table.maxOutputTokens(for: mapped(record))
    }

    public func contextWindow(for record: CallRecord) -> Int64? {
        table.contextWindow(for: mapped(record))
    }

    /// The record as the table sees it: priced as its configured provider's type.
    private func mapped(_ record: CallRecord) -> CallRecord {
        guard record.pricingProvider == nil, let mapped = pricingProviders[record.provider] else { return record }
        var priced = record
        priced.pricingProvider = mapped
        return priced
    }

    public func pricingProvider(for provider: String) -> String? {
        pricingProviders[provider]
    }
}
