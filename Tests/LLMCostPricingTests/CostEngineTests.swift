import Foundation
import LLMCostCore
import Testing
@testable import LLMCostPricing

@Suite struct CostEngineTests {
    let now = utc("2025-11-01")

    @Test func pricesEveryTokenFieldAndWebSearch() throws {
        let usage = Usage(
            inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWrite5mTokens: 100, cacheWrite1hTokens: 50,
            reasoningTokens: 200, webSearchRequests: 3, webFetchRequests: 2)
        let result = try defaultTable.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage, at: now)
        // 1000×$3 + 500×$15 + 2000×$0.30 + 100×$3.75 + 50×$6 per million, + 3 searches at $10/1k.
        #expect(result.breakdown.input.decimalString == "0.003000000")
        #expect(result.breakdown.output.decimalString == "0.007500000")
        #expect(result.breakdown.reasoning == .zero)
        #expect(result.breakdown.cacheRead.decimalString == "0.000600000")
        #expect(result.breakdown.cacheWrite.decimalString == "0.000675000")
        #expect(result.breakdown.webSearch.decimalString == "0.030000000")
        #expect(result.breakdown.webFetch == .zero)
        #expect(result.cost == money("0.041775"))
        #expect(result.entry.id == "anthropic/claude-sonnet-4-5@2025-09-29")
        #expect(result.contextTierAbove == nil)
    }

    @Test func longContextTierBillsTheWholeRequestAboveTheThreshold() throws {
        // The prompt counts uncached input, cache reads and cache writes.
        let atThreshold = Usage(inputTokens: 100_000, outputTokens: 1000, cacheReadTokens: 90_000, cacheWrite5mTokens: 10_000)
        let base = try defaultTable.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: atThreshold, at: now)
        #expect(base.contextTierAbove == nil)
        #expect(base.breakdown.input.decimalString == "0.300000000")

        var over = atThreshold
        over.cacheWrite5mTokens += 1
        let tiered = try defaultTable.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: over, at: now)
        #expect(tiered.contextTierAbove == 200_000)
        #expect(tiered.breakdown.input.decimalString == "0.600000000")  // $6
        #expect(tiered.breakdown.output.decimalString == "0.022500000")  // $22.50
        #expect(tiered.breakdown.cacheRead.decimalString == "0.054000000")  // $0.60
        #expect(tiered.breakdown.cacheWrite.decimalString == "0.075007500")  // $7.50

        let gpt54 = try defaultTable.cost(
            provider: "openai", model: "gpt-5.4", usage: Usage(inputTokens: 272_001, outputTokens: 10), at: utc("2026-04-01"))
        #expect(gpt54.contextTierAbove == 272_000)
        #expect(gpt54.breakdown.input.decimalString == "1.360005000")
    }

    @Test func serviceTiersMultiplyTokenPricesButNotToolFees() throws {
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000, webSearchRequests: 1000)
        let standard = try defaultTable.cost(provider: "openai", model: "gpt-5", usage: usage, at: now)
        #expect(standard.cost == money("21.375"))
        let batch = try defaultTable.cost(provider: "openai", model: "gpt-5", usage: usage, at: now, serviceTier: .batch)
        #expect(batch.cost == money("15.6875"))  // half of 11.375, plus the $10 of searches
        let priority = try defaultTable.cost(provider: "openai", model: "gpt-5", usage: usage, at: now, serviceTier: .priority)
        #expect(priority.cost == money("32.75"))
        #expect(throws: PricingError.self) {
            try defaultTable.cost(provider: "anthropic", model: "claude-haiku-4-5", usage: usage, at: now, serviceTier: .flex)
        }
    }

    @Test func cacheWritesDefaultToAnthropicMultipliersWhenNotWritten() throws {
        let file = PricingSource(
            name: "test.toml",
            text: """
                provider = "anthropic"
                default_cache_write_5m = "1.25"
                default_cache_write_1h = "2"
                [[model]]
                id = "claude-test"
                [[price]]
                model = "claude-test"
                effective_from = 2025-01-01
                source = "https://example.com"
                input = "4"
                output = "20"
                """)
        let table = try PriceTableLoader.load(defaults: [], user: [file])
        let result = try table.cost(
            provider: "anthropic", model: "claude-test", usage: Usage(cacheWrite5mTokens: 1_000_000, cacheWrite1hTokens: 1_000_000),
            at: now)
        #expect(result.cost == money("13"))  // $5 + $8
    }

    @Test func reasoningPricedApartWhereTheEntrySaysSo() throws {
        let usage = Usage(inputTokens: 0, outputTokens: 1_000_000, reasoningTokens: 400_000)
        let preview = try defaultTable.cost(provider: "gemini", model: "gemini-2.5-flash", usage: usage, at: utc("2025-05-01"))
        #expect(preview.breakdown.output.decimalString == "0.360000000")  // 600k × $0.60
        #expect(preview.breakdown.reasoning.decimalString == "1.400000000")  // 400k × $3.50
        let ga = try defaultTable.cost(provider: "gemini", model: "gemini-2.5-flash", usage: usage, at: utc("2025-07-01"))
        #expect(ga.breakdown.output.decimalString == "2.500000000")
        #expect(ga.breakdown.reasoning == .zero)
    }

    @Test func roundsOnceHalfToEvenAfterSummingExactParts() throws {
        // $0.0375 per million: one token is 37.5 nano-dollars, three are 112.5.
        let preview = utc("2025-05-01")
        let one = try defaultTable.cost(provider: "google", model: "gemini-2.5-flash", usage: Usage(cacheReadTokens: 1), at: preview)
        #expect(one.breakdown.cacheRead.decimalString == "0.0000000375")
        #expect(one.cost.nanoUSD == 38)
        let three = try defaultTable.cost(provider: "google", model: "gemini-2.5-flash", usage: Usage(cacheReadTokens: 3), at: preview)
        #expect(three.cost.nanoUSD == 112)
        // 150 nano (1 input token at $0.15) + 37.5 nano = 187.5, rounded once to 188.
        let mixed = try defaultTable.cost(
            provider: "google", model: "gemini-2.5-flash", usage: Usage(inputTokens: 1, cacheReadTokens: 1), at: preview)
        #expect(mixed.cost.nanoUSD == 188)
        // Batch halves the rate: two cache tokens at $0.01875 are 37.5 nano again.
        let batch = try defaultTable.cost(
            provider: "google", model: "gemini-2.5-flash", usage: Usage(cacheReadTokens: 2), at: preview, serviceTier: .batch)
        #expect(batch.breakdown.cacheRead.decimalString == "0.0000000375")
        #expect(batch.cost.nanoUSD == 38)
    }

    @Test func aCallOneSecondEitherSideOfAPriceChange() throws {
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        let before = try defaultTable.cost(provider: "openai", model: "o3", usage: usage, at: utc("2025-06-09T23:59:59Z"))
        let after = try defaultTable.cost(provider: "openai", model: "o3", usage: usage, at: utc("2025-06-10T00:00:00Z"))
        #expect(before.cost == money("50"))
        #expect(before.entry.id == "openai/o3@2025-04-16")
        #expect(after.cost == money("10"))
        #expect(after.entry.id == "openai/o3@2025-06-10")

        let deepseekBefore = try defaultTable.cost(
            provider: "deepseek", model: "deepseek-chat", usage: usage, at: utc("2025-02-08T15:59:59Z"))
        let deepseekAfter = try defaultTable.cost(
            provider: "deepseek", model: "deepseek-chat", usage: usage, at: utc("2025-02-08T16:00:00Z"))
        #expect(deepseekBefore.cost == money("0.42"))
        #expect(deepseekAfter.cost == money("1.37"))
        #expect(deepseekAfter.entry.id == "deepseek/deepseek-chat@2025-02-08T16:00:00Z")
    }

    @Test func aCallBeforeTheFirstEntryIsNotPriced() throws {
        #expect(throws: PricingError.self) {
            try defaultTable.cost(provider: "openai", model: "o3", usage: Usage(inputTokens: 1), at: utc("2025-04-15T23:59:59Z"))
        }
        let record = CallRecord(timestamp: utc("2025-04-15"), provider: "openai", model: "o3", usage: Usage(inputTokens: 1))
        #expect(try defaultTable.quote(for: record) == nil)
    }

    @Test func rejectsInconsistentOrAbsurdUsage() throws {
        #expect(throws: PricingError.self) {
            try defaultTable.cost(provider: "openai", model: "gpt-5", usage: Usage(outputTokens: 1, reasoningTokens: 2), at: now)
        }
        #expect(throws: PricingError.self) {
            try defaultTable.cost(provider: "openai", model: "gpt-5", usage: Usage(inputTokens: -5), at: now)
        }
        #expect(throws: PricingError.self) {
            try defaultTable.cost(provider: "openai", model: "gpt-4", usage: Usage(inputTokens: Int64.max), at: now)
        }
    }

    @Test func localServersAreFreeButPriced() throws {
        let record = CallRecord(timestamp: now, provider: "ollama", model: "llama3.1:8b", usage: Usage(inputTokens: 500, outputTokens: 100))
        let quote = try #require(try defaultTable.quote(for: record))
        #expect(quote.cost == .zero)
        #expect(quote.entryID == "ollama/*@2000-01-01")
    }

    @Test func unknownModelIsUnpricedNeverFree() throws {
        let record = CallRecord(timestamp: now, provider: "anthropic", model: "claude-9-ultra", usage: Usage(inputTokens: 5))
        #expect(try defaultTable.quote(for: record) == nil)
        do {
            _ = try defaultTable.cost(provider: nil, model: "no-such-model", usage: Usage(inputTokens: 1), at: now)
            Issue.record("an unknown model must not be priced")
        } catch let error as PricingError {
            #expect(error.isUnknownModel)
            #expect(error.message.contains("no-such-model"))
        }
        #expect(try defaultTable.quote(for: CallRecord(timestamp: now, provider: "somecloud", model: "gpt-4o")) == nil)
    }

    @Test func quoteHonoursTheServiceTierTag() throws {
        let usage = Usage(inputTokens: 100_000)  // under the 200k long-context threshold
        var record = CallRecord(timestamp: now, provider: "anthropic", model: "claude-sonnet-4-5-20250929", usage: usage)
        #expect(try defaultTable.quote(for: record)?.cost == money("0.3"))
        record.tags = ["service_tier": "batch"]
        #expect(try defaultTable.quote(for: record)?.cost == money("0.15"))
        #expect(try defaultTable.quote(for: record)?.entryID == "anthropic/claude-sonnet-4-5@2025-09-29")
    }
}
