import Foundation
import LLMCostCore

/// Seeded random calls with every field exercised: several providers, models, agents (and
/// none), sessions, tags, statuses, unpriced calls, times spread over weeks.
public struct RandomCalls {
    private var generator: SplitMix64

    public init(state: UInt64) { generator = SplitMix64(seed: state) }

    public mutating func next() -> UInt64 { generator.next() }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    public static let start: Int64 = 1_772_000_000_000  // 2026-02-25, before the March DST changes

    public mutating func record(index: Int) -> CallRecord {
        let providers = ["anthropic", "openai", "openrouter"]
        let models = ["claude-sonnet-4-5", "gpt-4o", "gpt-4o-mini", "o3", "mystery-model"]
        let agents: [String?] = ["planner", "coder", nil, "critic"]
        var record = CallRecord(
            timestamp: Date(), provider: providers[below(3)], model: models[below(models.count)],
            agent: agents[below(agents.count)], session: below(4) == 0 ? nil : "s\(below(30))")
        record.epochMilliseconds = Self.start + Int64(below(60 * 86_400_000))
        if below(3) > 0 { record.tags["team"] = ["a", "b", "c"][below(3)] }
        if below(2) == 0 { record.tags["feature"] = "f\(below(5))" }
        record.requestID = below(5) == 0 ? nil : "req-\(index)"
        record.status = [CallStatus.ok, .ok, .ok, .error, .cancelled][below(5)]
        let output = Int64(below(5000))
        record.usage = Usage(
            inputTokens: Int64(below(100_000)), outputTokens: output, cacheReadTokens: Int64(below(50_000)),
            cacheWrite5mTokens: Int64(below(3) == 0 ? below(10_000) : 0), cacheWrite1hTokens: Int64(below(4) == 0 ? below(5000) : 0),
            reasoningTokens: output / Int64(1 + below(4)), webSearchRequests: Int64(below(10) == 0 ? below(3) : 0))
        // The "mystery" model is never priced: it must show up as unpriced, never as $0.
        record.cost = record.model == "mystery-model" ? nil : Money(nanoUSD: Int64(below(50_000_000)))
        record.latencyMilliseconds = Int64(below(30_000))
        // Some calls went through a provider configured under its own name (no draw: the
        // sequence other tests rely on stays the same).
        if index % 4 == 1, record.provider != "openai" { record.pricingProvider = "openai" }
        return record
    }
}
