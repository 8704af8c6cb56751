import LLMCostCore

/// How a call was served: the provider's standard tier, or a discounted / premium one.
public enum ServiceTier: String, Sendable, Hashable, CaseIterable {
    case standard
    case batch
    case flex
    case priority
    /// Anthropic's fast mode (`speed: "fast"`): the same model at a per-model multiplier.
    case fast

    var index: Int {
        switch self {
        case .standard: 0
        case .batch: 1
        case .flex: 2
        case .priority: 3
        case .fast: 4
        }
    }
}

/// Token prices at one level of an entry, in USD per million tokens, exactly as written.
///
/// Optional prices fall back as documented in `pricing/README.md`: reasoning bills as output,
/// a cache read bills as input, and cache writes bill as input times the file's
/// `default_cache_write_5m` / `default_cache_write_1h` multipliers (1 unless the file says).
public struct TokenPrices: Sendable, Hashable {
    public var input: ExactDecimal
    public var output: ExactDecimal
    /// Reasoning tokens, where the provider prices them apart from other output.
    public var reasoning: ExactDecimal?
    public var cacheRead: ExactDecimal?
    public var cacheWrite5m: ExactDecimal?
    public var cacheWrite1h: ExactDecimal?

    public init(
        input: ExactDecimal, output: ExactDecimal, reasoning: ExactDecimal? = nil, cacheRead: ExactDecimal? = nil,
        cacheWrite5m: ExactDecimal? = nil, cacheWrite1h: ExactDecimal? = nil
    ) {
        self.input = input
        self.output = output
        self.reasoning = reasoning
        self.cacheRead = cacheRead
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
    }
}

/// A long-context tier: when the prompt (uncached input + cache reads + cache writes) exceeds
/// `aboveTokens`, the whole request is billed at these prices, as Anthropic and Google bill.
public struct ContextTier: Sendable, Hashable {
    public var aboveTokens: Int64
    public var prices: TokenPrices
}

/// One dated price entry of a model: the prices in force from `effectiveFrom` (inclusive) until
/// `effectiveUntil` (exclusive) or the next entry's start.
public struct PriceEntry: Sendable {
    public var provider: String
    public var model: String
    /// Milliseconds since 1970 UTC.
    public var effectiveFrom: Int64
    /// Milliseconds since 1970 UTC; `nil` means until the next entry (or for ever).
    public var effectiveUntil: Int64?
    /// Where the prices were published.
    public var source: String
    public var prices: TokenPrices
    /// Long-context tiers, ascending by threshold.
    public var contextTiers: [ContextTier]
    /// Multipliers of every token price for the non-standard service tiers the model offers.
    public var serviceTiers: [ServiceTier: ExactDecimal]
    /// USD per 1,000 server-side web search requests.
    public var webSearchPer1k: ExactDecimal?
    /// USD per 1,000 server-side web fetch requests.
    public var webFetchPer1k: ExactDecimal?
    /// Where the entry was written.
    public var location: SourceLocation

    /// Integer rates precomputed at load, so pricing a call is a handful of multiplications.
    var compiled: CompiledEntry

    /// `provider/model@effective_from`, the id the ledger stores (made once, at load).
    public internal(set) var id: String

    /// `effective_from` as written in the id: `2025-09-29` or `2025-09-29T17:00:00Z`.
    public var effectiveFromText: String { PricingDate.format(effectiveFrom) }

    /// The service tiers this entry can price, standard first.
    public var availableServiceTiers: [ServiceTier] {
        ServiceTier.allCases.filter { $0 == .standard || serviceTiers[$0] != nil }
    }
}

/// A model of one provider: its id, the other names it answers to, its limits and its dated
/// price history (ascending by `effectiveFrom`).
public struct ModelDefinition: Sendable {
    public var provider: String
    /// The id, or `*` for "every model of this provider" (local servers).
    public var id: String
    public var aliases: [String]
    public var contextWindow: Int64?
    public var maxOutput: Int64?
    public var entries: [PriceEntry]
    public var location: SourceLocation
    /// Another model this one is priced as, with no entries of its own: an Azure deployment
    /// name, a gateway's route. `provider/model`, or a model of the same provider.
    public var sameAs: String?

    /// The entry in force at `time` (milliseconds since 1970 UTC), if any.
    public func entry(atMilliseconds time: Int64) -> PriceEntry? {
        entryIndex(atMilliseconds: time).map { entries[$0] }
    }

    /// The position of the entry in force at `time`: entries are few per model and sorted, so
    /// scanning from the newest is a couple of integer compares.
    func entryIndex(atMilliseconds time: Int64) -> Int? {
        var index = entries.count - 1
        while index >= 0 {
            if entries[index].effectiveFrom <= time { return time < entries[index].compiled.until ? index : nil }
            index -= 1
        }
        return nil
    }
}

/// The models of one provider, from one file (plus user overrides).
public struct ProviderTable: Sendable {
    public var name: String
    /// Whether the models answer to their bare id when no provider is given.
    public var bareNames: Bool
    /// A provider whose prices apply to models this one does not list (Azure → OpenAI).
    public var fallback: String?
    /// Model ids are `<vendor>/<model>` and resolve in the vendor's file (OpenRouter).
    public var vendorPrefixed: Bool
    public var models: [ModelDefinition]
    public var files: [String]
}
