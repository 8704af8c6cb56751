import LLMCostCore

/// What a reprice changed.
public struct RepriceSummary: Sendable {
    /// Calls looked at (those whose cost came from a table, or that were unpriced).
    public var examined = 0
    /// Calls whose cost or pricing entry changed.
    public var changed = 0
    /// Calls that were unpriced and now have a cost.
    public var newlyPriced = 0
    /// Calls that had a cost and now are unpriced (their model left the table).
    public var nowUnpriced = 0
    /// Calls recorded under a configured provider name that are now priced as the provider
    /// that name is configured as (`work` → `openai`; see `CallPricing.pricingProvider(for:)`).
    public var pricingProviderAssigned = 0
    /// Sum of the examined calls' costs before and after (priced calls only).
    public var costBefore = Money.zero
    public var costAfter = Money.zero
}

extension Ledger {
    /// Prices stored calls again with `pricing`, in one transaction, keeping the rollups exact.
    ///
    /// Only costs that came from a pricing table, and unpriced calls, are recomputed: a cost
    /// given by whoever recorded the call (a provider-reported or imported cost) is kept. A call
    /// recorded under a provider name that `pricing` now maps to another provider (a provider
    /// configured under its own name) is priced as that provider, and remembers it.
    /// With `dryRun`, computes the summary and writes nothing.
    public func reprice(
        since: Int64? = nil, until: Int64? = nil, pricing: any CallPricing, dryRun: Bool = false
    ) throws -> RepriceSummary {
        var summary = RepriceSummary()
        struct DryRun: Error {}
        let dialect = dialect
        do {
            try inWriteSession(pricing: nil, kind: .write) { session in
                let sql = session.sql
                var conditions = ["c.cost_origin <> \(CostOrigin.given.rawValue)", "c.id > ?"]
                var arguments: [SQLValue] = []
                if let since { conditions.append("c.ts_ms >= ?"); arguments.append(.integer(since)) }
                if let until { conditions.append("c.ts_ms < ?"); arguments.append(.integer(until)) }
                // By pages of ids: a server sends a result whole, and the updates go in between.
                let page = """
                    SELECT c.id, c.ts_ms, c.provider_id, c.model_id, c.agent_id, p.name, m.name,
                           c.input_tokens, c.output_tokens, c.cache_read_tokens, c.cache_write_5m_tokens,
                           c.cache_write_1h_tokens, c.reasoning_tokens, c.web_search_requests,
                           c.web_fetch_requests, c.cost_nano, c.pricing_entry, c.status,
                           a.name, s.name, t.tags, pp.name, c.session_id
                    FROM calls c JOIN names p ON p.id = c.provider_id JOIN names m ON m.id = c.model_id
                    LEFT JOIN names a ON a.id = c.agent_id LEFT JOIN names s ON s.id = c.session_id
                    LEFT JOIN tag_sets t ON t.id = c.tag_set_id LEFT JOIN names pp ON pp.id = c.pricing_provider_id
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY c.id LIMIT \(Self.repricePageSize)
                    """
                var pricingProviderIDs: [String: Int64] = [:]
                var rollups = RollupAccumulator()
                var sessionRollups = SessionRollupAccumulator()
                var lastID: Int64 = .min
                while true {
                    let rows = try sql.rows(page, [.integer(lastID)] + arguments)
                    for row in rows {
                        let id = row.integer(0) ?? 0
                        lastID = id
                        summary.examined += 1
                        var record = CallRecord(timestamp: .init(timeIntervalSince1970: 0), provider: row.text(5) ?? "", model: row.text(6) ?? "")
                        let timestamp = row.integer(1) ?? 0
                        record.epochMilliseconds = timestamp
                        record.status = CallStatus(storedValue: row.integer(17) ?? 0)
                        // The whole call, as a pricing table sees it: tags carry the service tier.
                        record.agent = row.text(18)
                        record.session = row.text(19)
                        if let tags = row.text(20) { record.tags = TagsJSON.decode(tags) }
                        record.pricingProvider = row.text(21)
                        if record.pricingProvider == nil, let mapped = pricing.pricingProvider(for: record.provider),
                            mapped != record.provider
                        {
                            record.pricingProvider = mapped
                            summary.pricingProviderAssigned += 1
                            if pricingProviderIDs[mapped] == nil { pricingProviderIDs[mapped] = try session.nameID(mapped) }
                            try sql.executeDeferred(
                                "UPDATE calls SET pricing_provider_id = ? WHERE id = ?",
                                [.optional(pricingProviderIDs[mapped]), .integer(id)])
                        }
                        record.usage = Usage(
                            inputTokens: row.integer(7) ?? 0, outputTokens: row.integer(8) ?? 0, cacheReadTokens: row.integer(9) ?? 0,
                            cacheWrite5mTokens: row.integer(10) ?? 0, cacheWrite1hTokens: row.integer(11) ?? 0,
                            reasoningTokens: row.integer(12) ?? 0, webSearchRequests: row.integer(13) ?? 0,
                            webFetchRequests: row.integer(14) ?? 0)
                        let oldCost = row.integer(15).map(Money.init(nanoUSD:))
                        let oldEntry = row.text(16)
                        let quote = pricing.quote(for: record)
                        if let oldCost { summary.costBefore += oldCost }
                        if let quote { summary.costAfter += quote.cost }
                        guard quote?.cost != oldCost || quote?.entryID != oldEntry else { continue }
                        summary.changed += 1
                        if oldCost == nil { summary.newlyPriced += 1 }
                        if quote == nil { summary.nowUnpriced += 1 }
                        if !dryRun {
                            try sql.executeDeferred(
                                "UPDATE calls SET cost_nano = ?, cost_origin = ?, pricing_entry = ? WHERE id = ?",
                                [.optional(quote?.cost.nanoUSD), .integer(Int64((quote == nil ? CostOrigin.unpriced : .table).rawValue)),
                                 .optional(quote?.entryID), .integer(id)])
                        }
                        rollups.changeCost(
                            RollupKey(hour: floorDiv(timestamp, 3_600_000), providerID: row.integer(2) ?? 0,
                                      modelID: row.integer(3) ?? 0, agentID: row.integer(4) ?? 0),
                            from: oldCost, to: quote?.cost)
                        sessionRollups.changeCost(session: row.integer(22) ?? 0, from: oldCost, to: quote?.cost)
                    }
                    if rows.count < Self.repricePageSize { break }
                }
                if dryRun { throw DryRun() }
                try rollups.flush(into: sql)
                try sessionRollups.flush(into: sql, dialect: dialect)
            }
        } catch is DryRun {}
        return summary
    }

    /// Calls one page of a reprice reads.
    static let repricePageSize = 10_000
}
