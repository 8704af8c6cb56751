import Foundation
import LLMCostCore
import LLMCostMetering
import LLMCostPricing
import LLMCostProviders
import LLMCostStore
import Testing

/// The worst case a block budget reserves is built from the request: cache writes at their
/// TTL's rate, server tools at their bounds, the real output limit, long-context tiers.
@Suite struct WorstCaseTests {
    let table: PriceTable
    let now = Date(timeIntervalSince1970: 1_780_000_000) // 2026-05-28

    init() throws { table = try PriceTableLoader.load(user: []) }

    private func estimate(_ request: ChatRequest, adapterMaxOutput: Int? = nil) throws -> CallEstimate {
        try CallEstimate.estimate(
            request, provider: "anthropic", model: "claude-sonnet-4-5", ledger: nil, pricing: table,
            adapterMaxOutput: adapterMaxOutput, now: now)
    }

    private func price(_ usage: Usage) throws -> Money {
        try table.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage, at: now).cost
    }

    @Test func inputUnderACacheBreakpointIsReservedAtItsCacheWriteRate() throws {
        let system = String(repeating: "Policy clause. ", count: 2000)
        let tools = [ToolDefinition(name: "lookup", description: String(repeating: "Finds records. ", count: 300))]
        let plain = ChatRequest(system: system, messages: [.user("What applies?")], tools: tools, maxTokens: 500)
        var cached = plain
        cached.cacheBreakpoints = [CacheBreakpoint(.tools, ttl: .oneHour), CacheBreakpoint(.system)]
        let bare = try estimate(plain)
        let marked = try estimate(cached)
        // Same input in all: the tools' prefix as 1-hour writes, the system's part as 5-minute
        // writes, the question (after the last breakpoint) as plain input.
        let usage = marked.worstCaseUsage
        #expect(usage.totalInputTokens == bare.worstCaseUsage.totalInputTokens)
        #expect(usage.cacheWrite1hTokens > 0 && usage.cacheWrite5mTokens > usage.cacheWrite1hTokens)
        #expect(usage.inputTokens > 0 && usage.inputTokens < 50)
        #expect(marked.worstCaseCost == (try price(usage)))
        // Written at 2x and 1.25x the input price: dearer than the same tokens as plain input.
        #expect(try #require(marked.worstCaseCost) > (try #require(bare.worstCaseCost)))
        // $3/M input, $3.75/M 5-minute writes, $6/M 1-hour writes, $15/M output: by hand, in nano-dollars.
        let byHand = usage.inputTokens * 3_000 + usage.cacheWrite5mTokens * 3_750 + usage.cacheWrite1hTokens * 6_000 + 500 * 15_000
        #expect(marked.worstCaseCost == Money(nanoUSD: byHand))
    }

    @Test func serverToolsAreBoundedByMaxUsesTheirFeeAndTheirResults() throws {
        var request = ChatRequest(messages: [.user("Find three sources on sodium batteries")], maxTokens: 400)
        let bare = try estimate(request).worstCaseUsage
        request.serverTools = [ServerTool(.webSearch, maxUses: 3), ServerTool(.webFetch, maxUses: 2, maxContentTokens: 4000)]
        let bounded = try estimate(request)
        #expect(bounded.worstCaseUsage.webSearchRequests == 3)
        #expect(bounded.worstCaseUsage.webFetchRequests == 2)
        let allowance = ServerToolAllowance.standard
        #expect(bounded.worstCaseUsage.inputTokens == bare.inputTokens + 3 * allowance.tokensPerSearch + 2 * 4000)
        // $10 per 1,000 searches on top of the tokens.
        #expect(bounded.worstCaseCost == (try price(bounded.worstCaseUsage)))
        request.serverTools = [ServerTool(.webSearch)]
        #expect(try estimate(request).worstCaseUsage.webSearchRequests == Int64(allowance.usesWhenUnbounded))
    }

    @Test func aWorstCasePastALongContextThresholdIsPricedAtTheTier() throws {
        // About 210k tokens of input: past Sonnet 4.5's 200k tier, which bills the whole request
        // at $6 input and $22.50 output.
        let request = ChatRequest(messages: [.user(String(repeating: "lorem ipsum dolor sit amet ", count: 160_000))], maxTokens: 1000)
        let worst = try estimate(request)
        #expect(worst.worstCaseUsage.totalInputTokens > 200_000)
        let tier = Money(nanoUSD: worst.worstCaseUsage.inputTokens * 6_000 + 1000 * 22_500)
        #expect(worst.worstCaseCost == tier)
    }

    @Test func theOutputLimitIsTheRequestsElseTheAdaptersElseTheModels() throws {
        var request = ChatRequest(messages: [.user("hi")], maxTokens: 77)
        #expect(try estimate(request, adapterMaxOutput: 1024).maxOutput == 77)
        request.maxTokens = nil
        #expect(try estimate(request, adapterMaxOutput: 1024).maxOutput == 1024)
        // No adapter default (an OpenAI-style server): the model's own max_output from the table.
        #expect(try estimate(request).maxOutput == table.model(provider: "anthropic", model: "claude-sonnet-4-5")?.maxOutput)
    }
}
