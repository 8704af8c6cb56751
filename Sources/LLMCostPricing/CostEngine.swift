import LLMCostCore

/// Token rates of one level and service tier as integers: 10⁻¹² USD per million tokens, so a
/// count times a rate is exactly atto-dollars (10⁻¹⁸ USD).
struct CompiledRates: Sendable, Hashable {
    var input: Int64
    var output: Int64
    var reasoning: Int64
    var cacheRead: Int64
    var cacheWrite5m: Int64
    var cacheWrite1h: Int64
}

/// One level of an entry (the base prices, or a long-context tier) for every service tier.
struct CompiledLevel: Sendable {
    /// The level applies when the prompt exceeds this many tokens (-1 for the base level).
    var aboveTokens: Int64
    /// Indexed by `ServiceTier.index`; `nil` where the entry has no such tier.
    var rates: [CompiledRates?]
}

/// An entry's prices as integers, precomputed at load so pricing a call never parses or scans.
struct CompiledEntry: Sendable {
    static let rateScale = 12
    /// Exclusive end, milliseconds since 1970 UTC (`Int64.max` when open).
    var until: Int64
    /// Ascending by threshold; the base level first.
    var levels: [CompiledLevel]
    /// 10⁻¹² USD per 1,000 requests.
    var webSearchPer1k: Int64
    var webFetchPer1k: Int64

    /// Turns written prices into integer rates, applying the documented fallbacks and each
    /// service tier's multiplier. Throws a message naming the field that is not exact at
    /// 12 decimals.
    static func compile(
        prices: TokenPrices, contextTiers: [ContextTier], serviceTiers: [ServiceTier: ExactDecimal],
        webSearchPer1k: ExactDecimal?, webFetchPer1k: ExactDecimal?, cacheWriteDefaults: CacheWriteDefaults,
        until: Int64
    ) throws(CompileFailure) -> CompiledEntry {
        var levels: [CompiledLevel] = []
        for (above, level) in [(Int64(-1), prices)] + contextTiers.map({ ($0.aboveTokens, $0.prices) }) {
            var rates = [CompiledRates?](repeating: nil, count: ServiceTier.allCases.count)
            for tier in ServiceTier.allCases {
                let multiplier: ExactDecimal
                if tier == .standard {
                    multiplier = .one
                } else if let written = serviceTiers[tier] {
                    multiplier = written
                } else {
                    continue
                }
                rates[tier.index] = try compileRates(level, multiplier: multiplier, tier: tier, defaults: cacheWriteDefaults)
            }
            levels.append(CompiledLevel(aboveTokens: above, rates: rates))
        }
        return CompiledEntry(
            until: until, levels: levels,
            webSearchPer1k: try integer(webSearchPer1k ?? ExactDecimal(significand: 0, exponent: 0), "web_search_per_1k"),
            webFetchPer1k: try integer(webFetchPer1k ?? ExactDecimal(significand: 0, exponent: 0), "web_fetch_per_1k"))
    }

    struct CompileFailure: Error {
        var message: String
    }

    private static func compileRates(
        _ prices: TokenPrices, multiplier: ExactDecimal, tier: ServiceTier, defaults: CacheWriteDefaults
    ) throws(CompileFailure) -> CompiledRates {
        func scaled(_ price: ExactDecimal?, _ field: String) throws(CompileFailure) -> Int64 {
            guard let price, let product = price.multiplied(by: multiplier) else {
                throw CompileFailure(message: "\(field) overflows under the \(tier.rawValue) multiplier")
            }
            let label = tier == .standard ? field : "\(field) × \(tier.rawValue) \(multiplier)"
            return try integer(product, label)
        }
        let input = prices.input
        return CompiledRates(
            input: try scaled(input, "input"),
            output: try scaled(prices.output, "output"),
            reasoning: try scaled(prices.reasoning ?? prices.output, "reasoning"),
            cacheRead: try scaled(prices.cacheRead ?? input, "cache_read"),
            cacheWrite5m: try scaled(prices.cacheWrite5m ?? input.multiplied(by: defaults.fiveMinutes), "cache_write_5m"),
            cacheWrite1h: try scaled(prices.cacheWrite1h ?? input.multiplied(by: defaults.oneHour), "cache_write_1h"))
    }

    private static func integer(_ price: ExactDecimal, _ field: String) throws(CompileFailure) -> Int64 {
        guard let value = price.exactInteger(atScale: rateScale) else {
            throw CompileFailure(
                message: "\(field) = \(price) has more than \(rateScale) decimal places or is too large")
        }
        return value
    }
}

/// What a file says cache writes cost when an entry does not write them: multipliers of the
/// input price (Anthropic: 1.25 for 5 minutes, 2 for 1 hour; elsewhere 1).
struct CacheWriteDefaults: Sendable {
    var fiveMinutes: ExactDecimal
    var oneHour: ExactDecimal

    static let input = CacheWriteDefaults(fiveMinutes: .one, oneHour: .one)
}

/// A call's cost split by what was billed, each part exact, plus the one rounding to money.
public struct CostBreakdown: Sendable, Hashable {
    public var input: ExactAmount
    /// Output tokens other than reasoning, plus reasoning when it is priced like output.
    public var output: ExactAmount
    /// Reasoning tokens when the entry prices them apart (otherwise zero; they are in `output`).
    public var reasoning: ExactAmount
    public var cacheRead: ExactAmount
    public var cacheWrite: ExactAmount
    public var webSearch: ExactAmount
    public var webFetch: ExactAmount

    /// The exact sum of the parts.
    public var total: ExactAmount {
        input + output + reasoning + cacheRead + cacheWrite + webSearch + webFetch
    }
}

/// The price of one call: which entry, which level and tier, the exact parts and the cost.
public struct CostComputation: Sendable {
    public var entry: PriceEntry
    public var serviceTier: ServiceTier
    /// The long-context threshold the prompt exceeded, if any.
    public var contextTierAbove: Int64?
    public var breakdown: CostBreakdown
    /// `breakdown.total` rounded once, half to even, to nano-dollars.
    public var cost: Money
}

extension PriceEntry {
    /// The largest token or request count priced (10¹⁵), far beyond any real call.
    public static let maximumCount: Int64 = 1_000_000_000_000_000

    /// Prices `usage` under this entry, exactly, rounding once at the end.
    public func cost(of usage: Usage, serviceTier: ServiceTier = .standard) throws(PricingError) -> CostComputation {
        let (breakdown, tierAbove) = try parts(of: usage, serviceTier: serviceTier)
        guard let money = breakdown.total.money else { throw .overflow(entry: id) }
        return CostComputation(
            entry: self, serviceTier: serviceTier, contextTierAbove: tierAbove, breakdown: breakdown, cost: money)
    }

    /// The exact parts of the cost, and the long-context threshold applied if any.
    func parts(of usage: Usage, serviceTier: ServiceTier) throws(PricingError) -> (CostBreakdown, Int64?) {
        if let problem = usage.inconsistency { throw .invalidUsage(problem) }
        // With counts and prices bounded (prices by the loader), no product or sum can leave Int128.
        let largest = max(
            usage.inputTokens, usage.outputTokens, usage.cacheReadTokens, usage.cacheWrite5mTokens,
            usage.cacheWrite1hTokens, usage.webSearchRequests, usage.webFetchRequests)
        if largest > PriceEntry.maximumCount {
            throw .invalidUsage("a count of \(largest) exceeds the limit of \(PriceEntry.maximumCount)")
        }
        let prompt = usage.totalInputTokens
        let levels = compiled.levels
        var levelIndex = levels.count - 1
        while levelIndex > 0, prompt <= levels[levelIndex].aboveTokens { levelIndex -= 1 }
        let level = levels[levelIndex]
        guard let rates = level.rates[serviceTier.index] else {
            throw .serviceTierUnavailable(serviceTier, entry: id, available: availableServiceTiers)
        }
        // Reasoning is part of output: bill the rest of output at the output rate and the
        // reasoning at its own rate (equal to output unless the entry prices it apart).
        let plainOutput = usage.outputTokens - usage.reasoningTokens
        let reasoningSeparate = rates.reasoning != rates.output
        let outputPart = Int128(plainOutput) * Int128(rates.output)
            + (reasoningSeparate ? 0 : Int128(usage.reasoningTokens) * Int128(rates.output))
        let breakdown = CostBreakdown(
            input: ExactAmount(attoUSD: Int128(usage.inputTokens) * Int128(rates.input)),
            output: ExactAmount(attoUSD: outputPart),
            reasoning: ExactAmount(
                attoUSD: reasoningSeparate ? Int128(usage.reasoningTokens) * Int128(rates.reasoning) : 0),
            cacheRead: ExactAmount(attoUSD: Int128(usage.cacheReadTokens) * Int128(rates.cacheRead)),
            cacheWrite: ExactAmount(
                attoUSD: Int128(usage.cacheWrite5mTokens) * Int128(rates.cacheWrite5m)
                    + Int128(usage.cacheWrite1hTokens) * Int128(rates.cacheWrite1h)),
            // Per-1k-request prices at 10⁻¹² USD: × 1000 to reach atto-dollars per request.
            webSearch: ExactAmount(attoUSD: Int128(usage.webSearchRequests) * Int128(compiled.webSearchPer1k) * 1000),
            webFetch: ExactAmount(attoUSD: Int128(usage.webFetchRequests) * Int128(compiled.webFetchPer1k) * 1000))
        return (breakdown, levelIndex > 0 ? level.aboveTokens : nil)
    }
}
