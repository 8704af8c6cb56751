/// The price of one call, as a pricing table quotes it.
public struct PriceQuote: Sendable, Hashable {
    /// How `entryID` starts when the call was priced from the LiteLLM map snapshot rather than
    /// the curated table (`litellm@2026-11-20:zai/glm-4.6`): reports count these calls apart.
    public static let liteLLMSnapshotPrefix = "litellm@"

    /// The exact cost.
    public var cost: Money
    /// Which table entry priced it, for the ledger and for reproducing the number later
    /// (for example `anthropic/claude-sonnet-4-5@2025-09-29`).
    public var entryID: String

    public init(cost: Money, entryID: String) {
        self.cost = cost
        self.entryID = entryID
    }
}

/// Something that can price a call: the pricing table, or a user's negotiated rates.
///
/// Requirements for implementers:
/// - Price `record.usage` of `record.provider`/`record.model` by the entry in force at
///   `record.timestamp`, exactly (no binary floating point), rounded once to `Money`'s unit.
/// - Return `nil` for a model you do not know. Never return a zero quote for an unknown
///   model: an unknown model is unpriced, not free.
/// - Price by `record.pricedProvider` (the record's `pricingProvider` when set, else its
///   `provider`).
/// - Be cheap and thread-safe: the ledger calls this for every imported row.
/// - `maxOutputTokens(for:)` (optional; unknown by default): the most output the record's model
///   can produce in one call, for a worst case when a request sets no limit.
/// - `pricingProvider(for:)` (optional; none by default): the provider whose prices apply to
///   calls recorded under a configured name, for records that do not say (`work` → `openai`).
///   Writers store the answer with the call, so reports can group by it and a later reprice
///   needs no configuration.
public protocol CallPricing: Sendable {
    func quote(for record: CallRecord) -> PriceQuote?
    func pricingProvider(for provider: String) -> String?
    func maxOutputTokens(for record: CallRecord) -> Int64?
    /// The model's context window (input and output together) in tokens, if the table knows it:
    /// what a router checks a request's size against.
    func contextWindow(for record: CallRecord) -> Int64?
}

extension CallPricing {
    public func pricingProvider(for provider: String) -> String? { nil }
    public func maxOutputTokens(for record: CallRecord) -> Int64? { nil }
    public func contextWindow(for record: CallRecord) -> Int64? { nil }
}
