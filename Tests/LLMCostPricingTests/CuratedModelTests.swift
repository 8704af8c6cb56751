import Foundation
import LLMCostCore
import Testing
@testable import LLMCostPricing

/// The models coding agents call today (Codex CLI, Claude Code, Gemini CLI write these ids),
/// priced from the curated files, each checked to the nano-dollar against a hand computation.
@Suite struct CuratedModelTests {
    /// Every id the agents write resolves to a curated model (never the LiteLLM snapshot).
    @Test(arguments: [
        ("openai", "gpt-5-codex", "openai/gpt-5-codex"),
        ("openai", "gpt-5.1-codex", "openai/gpt-5.1-codex"),
        ("openai", "gpt-5.1-codex-mini", "openai/gpt-5.1-codex-mini"),
        ("openai", "gpt-5.1-codex-max", "openai/gpt-5.1-codex-max"),
        ("openai", "gpt-5.2-codex", "openai/gpt-5.2-codex"),
        ("openai", "gpt-5.3-codex", "openai/gpt-5.3-codex"),
        ("openai", "codex-mini-latest", "openai/codex-mini-latest"),
        ("", "gpt-5.2", "openai/gpt-5.2"),
        ("openai", "gpt-5.2-chat-latest", "openai/gpt-5.2"),
        ("openai", "gpt-5.2-pro-2025-12-11", "openai/gpt-5.2-pro"),
        ("openai", "gpt-5-pro", "openai/gpt-5-pro"),
        ("openai", "gpt-5.4-mini-2026-03-17", "openai/gpt-5.4-mini"),
        ("openai", "gpt-5.5", "openai/gpt-5.5"),
        ("openai", "o3-pro-2025-06-10", "openai/o3-pro"),
        ("openai", "o4-mini-deep-research", "openai/o4-mini-deep-research"),
        ("azure", "gpt-5.1-codex", "openai/gpt-5.1-codex"),
        ("gemini", "gemini-3-pro-preview", "google/gemini-3-pro-preview"),
        ("google", "gemini-3-flash-preview", "google/gemini-3-flash-preview"),
        ("", "gemini-3.1-pro-preview", "google/gemini-3.1-pro-preview"),
        ("gemini", "gemini-3.1-flash-lite-preview", "google/gemini-3.1-flash-lite"),
        ("anthropic", "claude-opus-4-5-20251101", "anthropic/claude-opus-4-5"),
        ("anthropic", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5"),
        ("anthropic", "claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5"),
        ("anthropic", "claude-opus-4-1-20250805", "anthropic/claude-opus-4-1"),
        ("anthropic", "claude-3-7-sonnet-20250219", "anthropic/claude-3-7-sonnet"),
        ("", "claude-sonnet-4-6", "anthropic/claude-sonnet-4-6"),
        ("anthropic", "claude-opus-5-5", "anthropic/claude-opus-5-5"),
        ("anthropic", "claude-sonnet-5-5", "anthropic/claude-sonnet-5-5"),
        ("anthropic", "claude-haiku-5-5", "anthropic/claude-haiku-5-5"),
        ("anthropic", "claude-fable-5-2", "anthropic/claude-fable-5-2"),
        ("anthropic", "claude-mythos-5-1", "anthropic/claude-fable-5-1"),
        ("openrouter", "anthropic/claude-opus-5.5", "anthropic/claude-opus-5-5"),
    ])
    func agentModelIdsResolveToCuratedModels(provider: String, name: String, expected: String) throws {
        let resolution = try #require(try defaultTable.resolve(provider: provider.isEmpty ? nil : provider, model: name))
        #expect("\(resolution.model.provider)/\(resolution.model.id)" == expected)
        #expect(!resolution.isFromSnapshot)
    }

    @Test func codexModelWithCacheReadsAndReasoning() throws {
        // 123,457 × $1.25 + 654,321 × $0.125 + 9,876 × $10 per million
        // = 0.15432125 + 0.081790125 + 0.09876 = 0.334871375 (reasoning is part of output).
        let usage = Usage(inputTokens: 123_457, outputTokens: 9876, cacheReadTokens: 654_321, reasoningTokens: 4000)
        let result = try defaultTable.cost(provider: "openai", model: "gpt-5.1-codex", usage: usage, at: utc("2025-12-01"))
        #expect(result.cost == money("0.334871375"))
        #expect(result.entry.id == "openai/gpt-5.1-codex@2025-11-13")
        let mini = try defaultTable.cost(
            provider: "openai", model: "codex-mini-latest", usage: Usage(cacheReadTokens: 1_000_000), at: utc("2025-06-01"))
        #expect(mini.cost == money("0.375"))
    }

    @Test func gpt55LongContextTierAndFastMode() throws {
        // 350,000 prompt tokens > 272k: the whole request at $10 / $1 (cached) / $45.
        // 300,000 × 10 + 50,000 × 1 + 10,000 × 45 per million = 3 + 0.05 + 0.45 = 3.5.
        let usage = Usage(inputTokens: 300_000, outputTokens: 10_000, cacheReadTokens: 50_000)
        let result = try defaultTable.cost(provider: "openai", model: "gpt-5.5", usage: usage, at: utc("2026-06-01"))
        #expect(result.contextTierAbove == 272_000)
        #expect(result.cost == money("3.5"))
        let fast = try defaultTable.cost(provider: "openai", model: "gpt-5.5", usage: usage, at: utc("2026-08-01"), serviceTier: .fast)
        #expect(fast.cost == money("8.75"))  // 2.5x
    }

    @Test func geminiProPreviewBillsTheWholeRequestAbove200k() throws {
        let at = utc("2025-12-01")
        // At exactly 200,000 prompt tokens the base rate: 200,000 × $2 + 1,000 × $12.
        let base = try defaultTable.cost(
            provider: "gemini", model: "gemini-3-pro-preview", usage: Usage(inputTokens: 200_000, outputTokens: 1000), at: at)
        #expect(base.cost == money("0.412"))
        // One more prompt token: 250,001 × $4 + 1,000 × $18.
        let long = try defaultTable.cost(
            provider: "gemini", model: "gemini-3-pro-preview", usage: Usage(inputTokens: 250_001, outputTokens: 1000), at: at)
        #expect(long.contextTierAbove == 200_000)
        #expect(long.cost == money("1.018004"))
    }

    @Test func haiku55BillsPromptsOver100kAtItsSecondBand() throws {
        // 60,000 + 40,001 cache reads = 100,001 prompt tokens: 60,000 × $0.50 + 40,001 × $0.05
        // + 2,000 × $2.50 per million = 0.03 + 0.00200005 + 0.005, rounded once: 0.037000050.
        let usage = Usage(inputTokens: 60_000, outputTokens: 2000, cacheReadTokens: 40_001)
        let result = try defaultTable.cost(provider: "anthropic", model: "claude-haiku-5-5", usage: usage, at: utc("2026-11-01"))
        #expect(result.contextTierAbove == 100_000)
        #expect(result.breakdown.total.decimalString == "0.037000050")
        #expect(result.cost == money("0.03700005"))
    }

    @Test func sonnet55CacheReadsHalveOnTheSeventhOfOctober() throws {
        let usage = Usage(cacheReadTokens: 1_000_000)
        let before = try defaultTable.cost(
            provider: "anthropic", model: "claude-sonnet-5-5", usage: usage, at: utc("2026-10-06T23:59:59Z"))
        let after = try defaultTable.cost(provider: "anthropic", model: "claude-sonnet-5-5", usage: usage, at: utc("2026-10-07"))
        #expect(before.cost == money("0.2"))
        #expect(after.cost == money("0.1"))
        #expect(after.entry.id == "anthropic/claude-sonnet-5-5@2026-10-07")
    }

    @Test func anthropicFastModeMultipliesEveryPriceIncludingTheLongContextTier() throws {
        let at = utc("2026-03-01")
        let short = Usage(inputTokens: 1000, outputTokens: 1000, cacheReadTokens: 10_000)
        // Standard: 1,000 × $5 + 1,000 × $25 + 10,000 × $0.50 = 0.035; fast is 6x: 0.21.
        #expect(try defaultTable.cost(provider: "anthropic", model: "claude-opus-4-6", usage: short, at: at).cost == money("0.035"))
        let fast = try defaultTable.cost(provider: "anthropic", model: "claude-opus-4-6", usage: short, at: at, serviceTier: .fast)
        #expect(fast.cost == money("0.21"))
        // Above 200k: $10 / $37.50 × 6 = $60 / $225, as fast mode's page lists.
        let long = Usage(inputTokens: 250_000, outputTokens: 1000)
        let fastLong = try defaultTable.cost(provider: "anthropic", model: "claude-opus-4-6", usage: long, at: at, serviceTier: .fast)
        #expect(fastLong.cost == money("15.225"))
        // Opus 5.5 fast: $8 / $40.
        let opus55 = try defaultTable.cost(
            provider: "anthropic", model: "claude-opus-5-5", usage: Usage(inputTokens: 1_000_000, outputTokens: 1_000_000),
            at: utc("2026-11-01"), serviceTier: .fast)
        #expect(opus55.cost == money("48"))
        // A model without fast mode refuses the tier rather than pricing it as standard.
        #expect(throws: PricingError.self) {
            try defaultTable.cost(provider: "anthropic", model: "claude-sonnet-5-5", usage: short, at: utc("2026-11-01"), serviceTier: .fast)
        }
    }

    @Test func aRecordTaggedFastIsPricedAtTheFastTier() throws {
        let record = CallRecord(
            timestamp: utc("2026-08-01"), provider: "anthropic", model: "claude-opus-5", tags: ["service_tier": "fast"],
            usage: Usage(inputTokens: 1_000_000))
        #expect(try defaultTable.quote(for: record)?.cost == money("10"))
        #expect(try defaultTable.quote(for: record)?.entryID == "anthropic/claude-opus-5@2026-07-24")
    }
}
