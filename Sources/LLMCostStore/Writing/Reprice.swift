import GRDB
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
        do {
            try write { db in
                var conditions = ["c.cost_origin <> \(CostOrigin.given.rawValue)"]
                var arguments: [DatabaseValueConvertible] = []
                if let since { conditions.append("c.ts_ms >= ?"); arguments.append(since) }
                if let until { conditions.append("c.ts_ms < ?"); arguments.append(until) }
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT c.id, c.ts_ms, c.provider_id, c.model_id, c.agent_id, p.name, m.name,
                           c.input_tokens, c.output_tokens, c.cache_read_tokens, c.cache_write_5m_tokens,
                           c.cache_write_1h_tokens, c.reasoning_tokens, c.web_search_requests,
                           c.web_fetch_requests, c.cost_nano, c.pricing_entry, c.status,
                           a.name, s.name, t.tags, pp.name, c.session_id
                    FROM calls c JOIN names p ON p.id = c.provider_id JOIN names m ON m.id = c.model_id
                    LEFT JOIN names a ON a.id = c.agent_id LEFT JOIN names s ON s.id = c.session_id
                    LEFT JOIN tag_sets t ON t.id = c.tag_set_id LEFT JOIN names pp ON pp.id = c.pricing_provider_id
                    WHERE \(conditions.joined(separator: " AND "))
                    """, arguments: StatementArguments(arguments))
                let update = try RawStatement(db, "UPDATE calls SET cost_nano = ?, cost_origin = ?, pricing_entry = ? WHERE id = ?")
                let assignPricingProvider = try RawStatement(db, "UPDATE calls SET pricing_provider_id = ? WHERE id = ?")
                var pricingProviderIDs: [String: Int64] = [:]
                var rollups = RollupAccumulator()
                var sessionRollups = SessionRollupAccumulator()
                while let row = try rows.next() {
                    summary.examined += 1
                    var record = CallRecord(timestamp: .init(timeIntervalSince1970: 0), provider: row[5], model: row[6])
                    let timestamp: Int64 = row[1]
                    record.epochMilliseconds = timestamp
                    record.status = CallStatus(storedValue: row[17])
                    // The whole call, as a pricing table sees it: tags carry the service tier.
                    record.agent = row[18]
                    record.session = row[19]
                    if let tags: String = row[20] { record.tags = TagsJSON.decode(tags) }
                    record.pricingProvider = row[21]
                    if record.pricingProvider == nil, let mapped = pricing.pricingProvider(for: record.provider),
                        mapped != record.provider
                    {
                        record.pricingProvider = mapped
                        summary.pricingProviderAssigned += 1
                        if pricingProviderIDs[mapped] == nil { pricingProviderIDs[mapped] = try self.nameID(mapped, db: db) }
                        assignPricingProvider.bind(1, pricingProviderIDs[mapped])
                        assignPricingProvider.bind(2, row[0] as Int64)
                        try assignPricingProvider.run()
                    }
                    record.usage = Usage(
                        inputTokens: row[7], outputTokens: row[8], cacheReadTokens: row[9],
                        cacheWrite5mTokens: row[10], cacheWrite1hTokens: row[11], reasoningTokens: row[12],
                        webSearchRequests: row[13], webFetchRequests: row[14])
                    let oldCost = (row[15] as Int64?).map(Money.init(nanoUSD:))
                    let oldEntry: String? = row[16]
                    let quote = pricing.quote(for: record)
                    if let oldCost { summary.costBefore += oldCost }
                    if let quote { summary.costAfter += quote.cost }
                    guard quote?.cost != oldCost || quote?.entryID != oldEntry else { continue }
                    summary.changed += 1
                    if oldCost == nil { summary.newlyPriced += 1 }
                    if quote == nil { summary.nowUnpriced += 1 }
                    update.bind(1, quote?.cost.nanoUSD)
                    update.bind(2, Int64((quote == nil ? CostOrigin.unpriced : .table).rawValue))
                    update.bind(3, quote?.entryID)
                    update.bind(4, row[0] as Int64)
                    try update.run()
                    rollups.changeCost(
                        RollupKey(hour: floorDiv(timestamp, 3_600_000), providerID: row[2], modelID: row[3], agentID: row[4]),
                        from: oldCost, to: quote?.cost)
                    sessionRollups.changeCost(session: row[22], from: oldCost, to: quote?.cost)
                }
                if dryRun { throw DryRun() }
                try rollups.flush(into: SQLiteSQL(db: db, path: path))
                try sessionRollups.flush(into: SQLiteSQL(db: db, path: path), dialect: .sqlite)
            }
        } catch is DryRun {}
        return summary
    }

    /// The id of `name` in the names table, added if new.
    func nameID(_ name: String, db: Database) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO names (name) VALUES (?)", arguments: [name])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM names WHERE name = ?", arguments: [name]) else {
            throw LedgerError.sqlite(path: path, detail: "name \(name) missing right after its insert")
        }
        return id
    }
}
