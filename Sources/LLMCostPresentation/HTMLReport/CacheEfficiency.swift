import Foundation
import LLMCostCore
import LLMCostPricing
import LLMCostStore

/// Whether prompt caching pays off: the share of input read from cache, what those reads saved
/// against the same tokens sent uncached, and what cache writes cost beyond uncached input.
///
/// Priced per model with the base prices of the entry in force at one time (the window's end):
/// a guide to the saving, not a ledger amount (the ledger's costs are priced call by call).
public struct CacheEfficiency: Sendable, Equatable {
    /// Uncached input, cache reads and cache writes, over every model.
    public var inputTokens: Int64 = 0
    public var cacheReadTokens: Int64 = 0
    public var cacheWriteTokens: Int64 = 0
    /// What the cache reads would have cost as uncached input, less what they cost.
    public var savedByReads = Money.zero
    /// What cache writes cost beyond the same tokens as uncached input.
    public var writePremium = Money.zero
    /// Models with cache tokens that the table could not price (left out of the dollars).
    public var unpricedModels: [String] = []
    /// No price table at all: the tokens are counted, the dollars are not.
    public var withoutPrices = false

    /// Reads plus writes plus uncached input: every input token.
    public var promptTokens: Int64 { inputTokens + cacheReadTokens + cacheWriteTokens }
    /// Reads minus the write premium.
    public var netSaving: Money { savedByReads - writePremium }
    /// Cache reads in basis points of all input (`nil` without input).
    public var readShareBasisPoints: Int64? {
        promptTokens > 0 ? Int64(Int128(cacheReadTokens) * 10_000 / Int128(promptTokens)) : nil
    }

    /// Prices each row (grouped by provider and model) at `time`; without `pricing`, counts only.
    public init(rows: [ReportRow], pricing: PriceTable?, at time: Date) {
        withoutPrices = pricing == nil
        for row in rows {
            let usage = row.totals.usage
            inputTokens += usage.inputTokens
            cacheReadTokens += usage.cacheReadTokens
            cacheWriteTokens += usage.cacheWriteTokens
            guard usage.cacheReadTokens > 0 || usage.cacheWriteTokens > 0 else { continue }
            let model = row.key.count > 1 ? row.key[1] ?? "" : row.key.first.flatMap { $0 } ?? ""
            let provider = row.key.count > 1 ? row.key[0].flatMap { pricing?.providerName($0) } : nil
            guard let pricing, let rates = Self.rates(provider: provider, model: model, pricing: pricing, at: time) else {
                if !unpricedModels.contains(model) { unpricedModels.append(model) }
                continue
            }
            savedByReads += rates.scaled(usage.cacheReadTokens, by: rates.input - rates.cacheRead)
            writePremium += rates.scaled(usage.cacheWrite5mTokens, by: rates.cacheWrite5m - rates.input)
            writePremium += rates.scaled(usage.cacheWrite1hTokens, by: rates.cacheWrite1h - rates.input)
        }
    }

    /// Base-level prices of a sample of tokens, in nano-dollars. A sample of 100,000 tokens
    /// stays under every long-context threshold and keeps six significant digits.
    struct SampleRates {
        static let sample: Int64 = 100_000
        var input: Int64
        var cacheRead: Int64
        var cacheWrite5m: Int64
        var cacheWrite1h: Int64

        /// `tokens` at `difference` nano-dollars per sample, exact in 128 bits, rounded down.
        func scaled(_ tokens: Int64, by difference: Int64) -> Money {
            Money(nanoUSD: Int64(clamping: Int128(tokens) * Int128(difference) / Int128(Self.sample)))
        }
    }

    static func rates(provider: String?, model: String, pricing: PriceTable, at time: Date) -> SampleRates? {
        func price(_ usage: Usage) -> Int64? {
            (try? pricing.cost(provider: provider, model: model, usage: usage, at: time))?.cost.nanoUSD
        }
        let n = SampleRates.sample
        guard let input = price(Usage(inputTokens: n)), let read = price(Usage(cacheReadTokens: n)),
            let write5m = price(Usage(cacheWrite5mTokens: n)), let write1h = price(Usage(cacheWrite1hTokens: n))
        else { return nil }
        return SampleRates(input: input, cacheRead: read, cacheWrite5m: write5m, cacheWrite1h: write1h)
    }
}
