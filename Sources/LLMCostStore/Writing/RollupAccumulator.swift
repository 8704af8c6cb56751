import GRDB
import LLMCostCore

/// One row of `rollup_hourly`: a UTC hour, provider, model and agent.
struct RollupKey: Hashable {
    var hour: Int64
    var providerID: Int64
    var modelID: Int64
    var agentID: Int64
}

/// Sums of calls: the measures every rollup and report row carries.
public struct CallTotals: Sendable, Hashable {
    public var calls: Int64 = 0
    public var usage = Usage()
    /// Sum of the costs of priced calls.
    public var cost = Money.zero
    /// Calls whose cost is unknown (model not in the pricing table).
    public var unpricedCalls: Int64 = 0
    public var errorCalls: Int64 = 0

    public init() {}

    /// True when every call in the sum is unpriced: the cost is unknown, not zero.
    public var costIsUnknown: Bool { calls > 0 && unpricedCalls == calls }

    public static func += (lhs: inout CallTotals, rhs: CallTotals) {
        lhs.calls += rhs.calls
        lhs.usage += rhs.usage
        lhs.cost += rhs.cost
        lhs.unpricedCalls += rhs.unpricedCalls
        lhs.errorCalls += rhs.errorCalls
    }
}

/// Rollup changes gathered during a transaction and applied at its end with one upsert per
/// touched row: far cheaper than a trigger per call.
struct RollupAccumulator {
    private var pending: [RollupKey: CallTotals] = [:]

    mutating func add(_ key: RollupKey, usage: Usage, cost: Money?, isError: Bool, sign: Int64 = 1) {
        var totals = pending[key] ?? CallTotals()
        totals.calls += sign
        totals.usage += sign == 1 ? usage : Usage(
            inputTokens: -usage.inputTokens, outputTokens: -usage.outputTokens,
            cacheReadTokens: -usage.cacheReadTokens, cacheWrite5mTokens: -usage.cacheWrite5mTokens,
            cacheWrite1hTokens: -usage.cacheWrite1hTokens, reasoningTokens: -usage.reasoningTokens,
            webSearchRequests: -usage.webSearchRequests, webFetchRequests: -usage.webFetchRequests)
        if let cost {
            totals.cost.nanoUSD += sign * cost.nanoUSD
        } else {
            totals.unpricedCalls += sign
        }
        if isError { totals.errorCalls += sign }
        pending[key] = totals
    }

    /// Records a cost change of one stored call (a reprice): old cost out, new cost in.
    mutating func changeCost(_ key: RollupKey, from old: Money?, to new: Money?) {
        var totals = pending[key] ?? CallTotals()
        if let old { totals.cost -= old } else { totals.unpricedCalls -= 1 }
        if let new { totals.cost += new } else { totals.unpricedCalls += 1 }
        pending[key] = totals
    }

    mutating func flush(into db: Database) throws {
        guard !pending.isEmpty else { return }
        let upsert = try RawStatement(db, """
            INSERT INTO rollup_hourly (hour, provider_id, model_id, agent_id, calls, input_tokens,
                output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                reasoning_tokens, web_search_requests, web_fetch_requests, cost_nano,
                unpriced_calls, error_calls)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (hour, provider_id, model_id, agent_id) DO UPDATE SET
                calls = calls + excluded.calls,
                input_tokens = input_tokens + excluded.input_tokens,
                output_tokens = output_tokens + excluded.output_tokens,
                cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                cache_write_5m_tokens = cache_write_5m_tokens + excluded.cache_write_5m_tokens,
                cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
                reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                web_search_requests = web_search_requests + excluded.web_search_requests,
                web_fetch_requests = web_fetch_requests + excluded.web_fetch_requests,
                cost_nano = cost_nano + excluded.cost_nano,
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                error_calls = error_calls + excluded.error_calls
            """)
        for (key, totals) in pending {
            upsert.bind(1, key.hour)
            upsert.bind(2, key.providerID)
            upsert.bind(3, key.modelID)
            upsert.bind(4, key.agentID)
            upsert.bind(5, totals.calls)
            upsert.bind(6, totals.usage.inputTokens)
            upsert.bind(7, totals.usage.outputTokens)
            upsert.bind(8, totals.usage.cacheReadTokens)
            upsert.bind(9, totals.usage.cacheWrite5mTokens)
            upsert.bind(10, totals.usage.cacheWrite1hTokens)
            upsert.bind(11, totals.usage.reasoningTokens)
            upsert.bind(12, totals.usage.webSearchRequests)
            upsert.bind(13, totals.usage.webFetchRequests)
            upsert.bind(14, totals.cost.nanoUSD)
            upsert.bind(15, totals.unpricedCalls)
            upsert.bind(16, totals.errorCalls)
            try upsert.run()
        }
        pending.removeAll()
    }
}
