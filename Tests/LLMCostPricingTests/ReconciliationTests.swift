import Foundation
import LLMCostCore
import Testing
@testable import LLMCostPricing

/// Every call priced by the engine equals an independent computation in Foundation's decimal
/// arithmetic, and a total is the exact sum of the per-call costs the ledger stores.
@Suite struct ReconciliationTests {
    /// A small deterministic generator, so a failure reproduces.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int64) -> Int64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((state >> 33) % UInt64(bound))
        }
    }

    /// The oracle: Decimal arithmetic from the entry's written prices, banker's rounding once.
    func oracle(_ entry: PriceEntry, _ usage: Usage, _ tier: ServiceTier) -> Decimal {
        let prompt = usage.totalInputTokens
        let prices = entry.contextTiers.last(where: { prompt > $0.aboveTokens })?.prices ?? entry.prices
        func decimal(_ value: ExactDecimal) -> Decimal { Decimal(string: value.description) ?? .nan }
        let multiplier = tier == .standard ? Decimal(1) : decimal(entry.serviceTiers[tier] ?? .one)
        let input = decimal(prices.input)
        let writeDefault5m: Decimal = entry.provider == "anthropic" ? Decimal(125) / 100 : 1
        let writeDefault1h: Decimal = entry.provider == "anthropic" ? 2 : 1
        var perMillion = Decimal(usage.inputTokens) * input
        perMillion += Decimal(usage.outputTokens - usage.reasoningTokens) * decimal(prices.output)
        perMillion += Decimal(usage.reasoningTokens) * decimal(prices.reasoning ?? prices.output)
        perMillion += Decimal(usage.cacheReadTokens) * decimal(prices.cacheRead ?? prices.input)
        perMillion += Decimal(usage.cacheWrite5mTokens) * (prices.cacheWrite5m.map(decimal) ?? input * writeDefault5m)
        perMillion += Decimal(usage.cacheWrite1hTokens) * (prices.cacheWrite1h.map(decimal) ?? input * writeDefault1h)
        var total = perMillion * multiplier / 1_000_000
        total += Decimal(usage.webSearchRequests) * decimal(entry.webSearchPer1k ?? ExactDecimal(significand: 0, exponent: 0)) / 1000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &total, 9, .bankers)
        return rounded
    }

    @Test func everyCallMatchesTheDecimalOracleAndTotalsAddUp() throws {
        let table = try defaultTable
        var generator = Generator(state: 42)
        let names: [(String, String)] = [
            ("anthropic", "claude-sonnet-4-5-20250929"), ("anthropic", "claude-opus-4-1"), ("anthropic", "claude-3-5-haiku-latest"),
            ("openai", "gpt-5"), ("openai", "gpt-4o"), ("openai", "o3"), ("openai", "gpt-4o-mini"), ("azure", "gpt-4.1-nano"),
            ("gemini", "gemini-2.5-pro"), ("google", "gemini-2.5-flash"), ("deepseek", "deepseek-chat"), ("xai", "grok-4"),
            ("openrouter", "mistralai/mistral-large-latest"), ("openai", "gpt-5.4"),
        ]
        let start = try #require(PricingDate.parse("2024-06-01"))
        var ledgerTotal = Money.zero
        var oracleTotal = Decimal(0)
        var priced = 0
        for _ in 0..<3000 {
            let (provider, model) = names[Int(generator.next(Int64(names.count)))]
            let output = generator.next(20_000)
            let usage = Usage(
                inputTokens: generator.next(300_000), outputTokens: output, cacheReadTokens: generator.next(4) == 0 ? 0 : generator.next(150_000),
                cacheWrite5mTokens: generator.next(5_000), cacheWrite1hTokens: generator.next(3) == 0 ? generator.next(5_000) : 0,
                reasoningTokens: output == 0 ? 0 : generator.next(output), webSearchRequests: generator.next(4))
            let time = start + generator.next(900) * 86_400_000 + generator.next(86_400_000)
            let tier = ServiceTier.allCases[Int(generator.next(4))]
            var tags: [String: String] = [:]
            if tier != .standard { tags["service_tier"] = tier.rawValue }
            let record = CallRecord(
                timestamp: Date(timeIntervalSince1970: Double(time) / 1000), provider: provider, model: model, tags: tags, usage: usage)
            guard let definition = table.model(provider: provider, model: model),
                let entry = definition.entry(atMilliseconds: record.epochMilliseconds)
            else {
                #expect(try defaultTable.quote(for: record) == nil)
                continue
            }
            guard entry.availableServiceTiers.contains(tier) else {
                #expect(table.quote(for: record) == nil, "\(entry.id) has no \(tier) tier")
                continue
            }
            let quote = try #require(table.quote(for: record))
            let expected = oracle(entry, usage, tier)
            #expect(Decimal(quote.cost.nanoUSD) / 1_000_000_000 == expected, "\(entry.id) \(tier) \(usage)")
            ledgerTotal += quote.cost
            oracleTotal += expected
            priced += 1
        }
        #expect(priced > 1000)
        // A report adds the stored integers: its total is the sum of the rows to the last nano-dollar.
        #expect(Decimal(ledgerTotal.nanoUSD) / 1_000_000_000 == oracleTotal)
    }
}
