import Foundation
import LLMCostCore
import Testing
@testable import LLMCostPricing

/// The LiteLLM map snapshot: conversion, its text format, and its place after the curated table.
@Suite struct LiteLLMSnapshotTests {
    let now = utc("2026-11-25")

    // MARK: - Pricing from the built-in snapshot

    @Test func anOpenRouterOpenWeightModelPricesFromTheSnapshotWithALabelledEntry() throws {
        let table = try defaultTable
        let record = CallRecord(
            timestamp: now, provider: "openrouter", model: "qwen/qwen3-coder",
            usage: Usage(inputTokens: 1_000_000, outputTokens: 500_000))
        // Vercel AI Gateway's qwen3-coder, $0.40 in / $1.60 out: 0.4 + 0.8.
        let quote = try #require(table.quote(for: record))
        #expect(quote.cost == money("1.2"))
        #expect(quote.entryID == "litellm@2026-11-20:vercel_ai_gateway/alibaba/qwen3-coder")

        let glm = CallRecord(timestamp: now, provider: "openrouter", model: "z-ai/glm-4.6", usage: Usage(inputTokens: 1000))
        #expect(table.quote(for: glm)?.entryID == "litellm@2026-11-20:zai/glm-4.6")
    }

    @Test func resolveExplainsAMapHit() throws {
        let resolution = try #require(try defaultTable.resolve(provider: "openrouter", model: "z-ai/glm-4.6"))
        #expect(resolution.isFromSnapshot)
        #expect(resolution.snapshotDate == "2026-11-20")
        #expect("\(resolution.model.provider)/\(resolution.model.id)" == "litellm/zai/glm-4.6")
        #expect(resolution.steps.last?.contains("not in the curated table: priced from the LiteLLM map snapshot of 2026-11-20, key zai/glm-4.6") == true)
        // The map has no history: its entry prices calls of any date.
        #expect(resolution.entry(atMilliseconds: PricingDate.milliseconds(utc("2024-01-01")))?.id == "litellm@2026-11-20:zai/glm-4.6")
    }

    @Test func aCuratedModelIsNeverPricedFromTheMap() throws {
        let table = try defaultTable
        // The map has no long-context tier for Sonnet 4.5; the curated file bills $6 above 200k.
        let long = try table.cost(
            provider: "anthropic", model: "claude-sonnet-4-5", usage: Usage(inputTokens: 300_000), at: utc("2025-11-01"))
        #expect(long.cost == money("1.8"))
        #expect(long.entry.id == "anthropic/claude-sonnet-4-5@2025-09-29")
        // The map prices mistral-medium at $1.50; the curated entry says $0.40.
        let medium = CallRecord(timestamp: now, provider: "mistral", model: "mistral-medium", usage: Usage(inputTokens: 1_000_000))
        #expect(table.quote(for: medium)?.cost == money("0.4"))
        #expect(table.quote(for: medium)?.entryID.hasPrefix(LiteLLMSnapshot.entryPrefix) == false)
        // A curated model called before its first entry stays unpriced, though the map has it.
        let early = CallRecord(timestamp: utc("2026-01-01"), provider: "openai", model: "gpt-5.5", usage: Usage(inputTokens: 10))
        #expect(table.quote(for: early) == nil)
        #expect(table.snapshot?.model(key: "gpt-5.5") != nil)
    }

    @Test func aZeroCacheWritePriceInTheMapBillsCacheWritesAtTheInputPrice() throws {
        // LiteLLM lists zai/glm-4.6 with cache_creation_input_token_cost = 0.
        let result = try defaultTable.cost(
            provider: "zai", model: "glm-4.6", usage: Usage(cacheWrite5mTokens: 1_000_000, cacheWrite1hTokens: 1_000_000), at: now)
        #expect(result.entry.id == "litellm@2026-11-20:zai/glm-4.6")
        #expect(result.breakdown.cacheWrite.decimalString == "1.200000000")  // 2 × $0.60, never $0
    }

    @Test func unknownEverywhereStaysUnpricedAndSaysWhatWasTried() throws {
        let table = try defaultTable
        #expect(table.quote(for: CallRecord(timestamp: now, provider: "openai", model: "gpt-99", usage: Usage(inputTokens: 1))) == nil)
        let steps = table.explainMiss(provider: "openai", model: "gpt-99")
        #expect(steps.contains { $0.contains("openai has no model gpt-99") })
        #expect(steps.last?.contains("not in the LiteLLM map snapshot of 2026-11-20 either") == true)
        // A bare key of another provider never prices a call: gpt-4o is OpenAI's, not Anthropic's.
        #expect(table.resolve(provider: "anthropic", model: "gpt-4o") == nil)
    }

    @Test func keysAreTriedFromTheMostSpecific() throws {
        let table = try curatedTable
        #expect(table.snapshotKeys(provider: "openrouter", name: "qwen/qwen3-coder").map(\.key) == [
            "openrouter/qwen/qwen3-coder", "qwen/qwen3-coder", "dashscope/qwen3-coder", "vercel_ai_gateway/alibaba/qwen3-coder",
        ])
        let azure = table.snapshotKeys(provider: "azure", name: "gpt-9-2027-01-01")
        #expect(azure.map(\.key) == [
            "azure/gpt-9-2027-01-01", "openai/gpt-9-2027-01-01", "gpt-9-2027-01-01",
            "azure/gpt-9", "openai/gpt-9", "gpt-9",
        ])
        #expect(azure[2].owners == ["openai", "text-completion-openai"])
        // Written whole, the key is tried once however many rules produce it.
        #expect(table.snapshotKeys(provider: nil, name: "gemini/Gemini-3.5-Flash").map(\.key) == ["gemini/gemini-3-5-flash"])
    }

    // MARK: - The text format

    static let sample = """
        # a comment
        litellm-snapshot\t1\t2026-11-20
        acme/chat-1\tacme\t1.5\t6\t0.15\t\t\t\t10\tbatch=0.5,priority=2\t128000=3/9/0.3
        acme/free\tacme\t0\t0
        """

    @Test func readsTheFormatAndPricesExactly() throws {
        let (parsed, issues) = LiteLLMSnapshot.read(PricingSource(name: "s.tsv", text: Self.sample), checkingEveryLine: true)
        #expect(issues.isEmpty)
        let snapshot = try #require(parsed)
        #expect(snapshot.date == "2026-11-20")
        #expect(snapshot.count == 2)
        let model = try #require(snapshot.model(key: "ACME/Chat.1"))
        let entry = try #require(model.entries.first)
        #expect(entry.id == "litellm@2026-11-20:acme/chat-1")
        #expect(entry.location == SourceLocation(file: "s.tsv", line: 3))
        // 200,000 prompt tokens > 128k: 150,000 × $3 + 50,000 × $0.30 + 10,000 × $9 = 0.555,
        // doubled by priority, plus 2 searches at $10 per 1,000 (tool fees are not multiplied).
        let cost = try entry.cost(
            of: Usage(inputTokens: 150_000, outputTokens: 10_000, cacheReadTokens: 50_000, webSearchRequests: 2),
            serviceTier: .priority)
        #expect(cost.contextTierAbove == 128_000)
        #expect(cost.breakdown.webSearch.decimalString == "0.020000000")
        #expect(cost.cost == money("1.13"))
    }

    @Test func writesWhatItReadsLineForLine() throws {
        let rows = [
            LiteLLMSnapshot.Row(
                key: "b/model", provider: "b",
                prices: TokenPrices(input: dec("2"), output: dec("8"), reasoning: dec("12"), cacheRead: dec("0.2"), cacheWrite5m: dec("2.5"), cacheWrite1h: dec("4")),
                contextTiers: [ContextTier(aboveTokens: 200_000, prices: TokenPrices(input: dec("4"), output: dec("12"), cacheRead: dec("0.4")))],
                serviceTiers: [.batch: dec("0.5"), .flex: dec("0.5")], webSearchPer1k: dec("25")),
            LiteLLMSnapshot.Row(key: "a/model", provider: "a", prices: TokenPrices(input: dec("0.000001"), output: dec("0"))),
        ]
        let text = LiteLLMSnapshot.text(rows: rows, date: "2026-12-01", mapName: "map.json")
        let (parsed, issues) = LiteLLMSnapshot.read(PricingSource(name: "x.tsv", text: text), checkingEveryLine: true)
        #expect(issues.isEmpty, "\(issues)")
        let snapshot = try #require(parsed)
        #expect(snapshot.keys == ["a/model", "b/model"])
        #expect(snapshot.rows.map(LiteLLMSnapshot.line(for:)) == rows.sorted { $0.key < $1.key }.map(LiteLLMSnapshot.line(for:)))
        #expect(text.contains("b/model\tb\t2\t8\t0.2\t2.5\t4\t12\t25\tbatch=0.5,flex=0.5\t200000=4/12/0.4\n"))
        #expect(text.contains("a/model\ta\t0.000001\t0\n"))
    }

    @Test func reportsEachProblemWithItsLine() {
        func issues(_ text: String, all: Bool = true) -> [String] {
            LiteLLMSnapshot.read(PricingSource(name: "u.tsv", text: text), checkingEveryLine: all).1.map(\.description)
        }
        #expect(issues("acme/x\tacme\t1\t2\n").first?.hasPrefix("u.tsv:1: expected the header") == true)
        #expect(issues("litellm-snapshot\t2\t2026-11-20\n").first?.contains("format 2 is not supported") == true)
        #expect(issues("litellm-snapshot\t1\t20-11-2026\n").first?.contains("the snapshot date must be YYYY-MM-DD") == true)
        let header = "litellm-snapshot\t1\t2026-11-20\n"
        #expect(issues(header + "a\tp\t1\t2\nA\tp\t1\t2\n") == ["u.tsv:3: key A is listed twice (first at line 2)"])
        #expect(issues(header + "a\tp\t1e-6\t2\n") == ["u.tsv:2: a: input \"1e-6\" is not a decimal price of at most 1,000,000 with up to 12 places"])
        #expect(issues(header + "a\tp\t1\n").first?.hasPrefix("u.tsv:2: a: expected a provider, an input and an output price") == true)
        #expect(issues(header + "a\tp\t1\t2\t\t\t\t\t\tturbo=2\n").first?.contains("service tier \"turbo=2\" is not NAME=MULTIPLIER") == true)
        #expect(issues(header + "a\tp\t1\t2\t\t\t\t\t\t\t9=1/2;5=1/2\n").first?.contains("tiers must ascend") == true)
        #expect(issues(header) == ["u.tsv:1: the snapshot lists no model"])
        // Loading reads keys only: a malformed price line is found by validation, and the model
        // it names is unpriced.
        #expect(issues(header + "a\tp\tx\t2\n", all: false).isEmpty)
    }

    @Test func validationCoversTheSnapshotAndLoadingRefusesABrokenHeader() {
        let broken = PricingSource(name: "mine/litellm-snapshot.tsv", text: "litellm-snapshot\t1\t2026-11-20\nk\tp\t1\tnope\n")
        let issues = PriceTableLoader.validate(user: [], snapshot: broken)
        #expect(issues.map(\.description) == ["mine/litellm-snapshot.tsv:2: k: output \"nope\" is not a decimal price of at most 1,000,000 with up to 12 places"])
        #expect(throws: PricingError.self) {
            try PriceTableLoader.load(user: [], snapshot: PricingSource(name: "x.tsv", text: "not a snapshot\n"))
        }
    }

    @Test func theBuiltInSnapshotValidatesEveryLine() {
        #expect(PriceTableLoader.validate(user: []).isEmpty)
        let (snapshot, issues) = LiteLLMSnapshot.read(PriceTableLoader.defaultSnapshotSource, checkingEveryLine: true)
        #expect(issues.isEmpty)
        #expect((snapshot?.count ?? 0) > 3000)
    }

    // MARK: - Converting a map

    static let map = #"""
        {
          "sample_spec": {"mode": "one of: chat, embedding", "input_cost_per_token": 0.0},
          "acme/chat-1": {"litellm_provider": "acme", "mode": "chat",
            "input_cost_per_token": 1.5e-06, "output_cost_per_token": 6e-06, "cache_read_input_token_cost": 1.5e-07,
            "cache_creation_input_token_cost": 0, "cache_creation_input_token_cost_above_1hr": 0.0,
            "output_cost_per_reasoning_token": 6e-06,
            "input_cost_per_token_batches": 7.5e-07, "output_cost_per_token_batches": 3e-06,
            "input_cost_per_token_priority": 2.7e-06, "output_cost_per_token_priority": 1.2e-05,
            "input_cost_per_token_above_100k_tokens": 3e-06, "output_cost_per_token_above_100k_tokens": 9e-06,
            "search_context_cost_per_query": {"search_context_size_medium": 0.01}},
          "acme/free": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0},
          "acme/writer": {"litellm_provider": "acme", "mode": "responses",
            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "cache_creation_input_token_cost": 3.75e-06},
          "acme/embed": {"litellm_provider": "acme", "mode": "embedding", "input_cost_per_token": 1e-07, "output_cost_per_token": 0},
          "acme/image": {"litellm_provider": "acme", "mode": "image_generation", "output_cost_per_image": 0.04},
          "acme/no-output": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 1e-06},
          "acme/flag": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": true, "output_cost_per_token": 1e-06}
        }
        """#

    @Test func convertsTextModelsAndNeutralisesTheMapsDefects() throws {
        let conversion = try LiteLLMSnapshot.convert(json: Data(Self.map.utf8), fileName: "map.json")
        #expect(conversion.rows.map(\.key) == ["acme/chat-1", "acme/free", "acme/writer"])
        #expect(conversion.skipped == 5)
        let chat = conversion.rows[0]
        #expect(chat.provider == "acme")
        // $0 cache writes are absent (they bill at the input price), reasoning equal to output too.
        #expect(chat.prices.cacheWrite5m == nil)
        #expect(chat.prices.cacheWrite1h == nil)
        #expect(chat.prices.reasoning == nil)
        #expect(chat.prices.cacheRead == dec("0.15"))
        // Priority is 1.8x on input but 2x on output: not one multiplier, so left out.
        #expect(chat.serviceTiers == [.batch: dec("0.5")])
        #expect(chat.contextTiers == [
            ContextTier(aboveTokens: 100_000, prices: TokenPrices(input: dec("3"), output: dec("9"), cacheRead: dec("0.15"))),
        ])
        #expect(chat.webSearchPer1k.map { "\($0)" } == "10")
        #expect(conversion.rows[2].prices.cacheWrite5m == dec("3.75"))
        let free = conversion.rows[1].prices
        #expect(free.input.significand == 0 && free.output.significand == 0)
    }

    @Test func refusesWhatIsNotAPriceMap() {
        for (text, reason) in [("[1, 2]", "expected a JSON object"), ("{\"a\": ", "not valid JSON"), ("{}", "no chat, completion")] {
            #expect {
                _ = try LiteLLMSnapshot.convert(json: Data(text.utf8), fileName: "bad.json")
            } throws: { error in
                "\(error)".contains("cannot import bad.json") && "\(error)".contains(reason)
            }
        }
    }

    @Test func comparesSnapshotsByKeyAndPrice() throws {
        let (parsed, _) = LiteLLMSnapshot.read(PricingSource(name: "s.tsv", text: Self.sample), checkingEveryLine: true)
        let current = try #require(parsed)
        var rows = current.rows
        rows[0].prices.output = dec("7")
        rows.remove(at: 1)
        rows.append(LiteLLMSnapshot.Row(key: "acme/new", provider: "acme", prices: TokenPrices(input: dec("1"), output: dec("1"))))
        let changes = current.changes(to: rows)
        #expect(changes.added == ["acme/new"])
        #expect(changes.changed == ["acme/chat-1"])
        #expect(changes.removed == ["acme/free"])
    }
}

private func dec(_ text: String) -> ExactDecimal {
    ExactDecimal(text) ?? ExactDecimal(significand: 0, exponent: 0)
}
