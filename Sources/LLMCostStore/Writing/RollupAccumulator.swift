import GRDB
import LLMCostCore

/// One row of `rollup_hourly`: a UTC hour, provider, model and agent.
struct RollupKey: Hashable, Comparable {
    var hour: Int64
    var providerID: Int64
    var modelID: Int64
    var agentID: Int64

    static func < (lhs: RollupKey, rhs: RollupKey) -> Bool {
        (lhs.hour, lhs.providerID, lhs.modelID, lhs.agentID) < (rhs.hour, rhs.providerID, rhs.modelID, rhs.agentID)
    }
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

    mutating func add(_ key: RollupKey, usage: Usage, cost: Money?, isError: Bool) {
        var totals = pending[key] ?? CallTotals()
        totals.calls += 1
        totals.usage += usage
        if let cost { totals.cost += cost } else { totals.unpricedCalls += 1 }
        if isError { totals.errorCalls += 1 }
        pending[key] = totals
    }

    /// Records a cost change of one stored call (a reprice): old cost out, new cost in.
    mutating func changeCost(_ key: RollupKey, from old: Money?, to new: Money?) {
        var totals = pending[key] ?? CallTotals()
        if let old { totals.cost -= old } else { totals.unpricedCalls -= 1 }
        if let new { totals.cost += new } else { totals.unpricedCalls += 1 }
        pending[key] = totals
    }

    /// Records new counts and cost of one stored call (a larger copy of it arrived): the old
    /// ones out, the new ones in; the call count stays.
    mutating func replace(_ key: RollupKey, usage old: Usage, cost oldCost: Money?, with new: Usage, cost newCost: Money?) {
        var totals = pending[key] ?? CallTotals()
        totals.usage += new
        totals.usage -= old
        pending[key] = totals
        changeCost(key, from: oldCost, to: newCost)
    }

    /// The pending sums per hour and, summed per UTC day, per day, each in key order (so two
    /// hosts' transactions lock shared rollup rows in the same order and cannot deadlock);
    /// nothing is pending afterwards.
    mutating func take() -> (hourly: [(key: RollupKey, totals: CallTotals)], daily: [(key: RollupKey, totals: CallTotals)]) {
        var daily: [RollupKey: CallTotals] = [:]
        for (key, totals) in pending {
            var dayKey = key
            dayKey.hour = floorDiv(key.hour, 24)
            daily[dayKey, default: CallTotals()] += totals
        }
        let hourly = pending.sorted { $0.key < $1.key }.map { (key: $0.key, totals: $0.value) }
        pending.removeAll()
        return (hourly, daily.sorted { $0.key < $1.key }.map { (key: $0.key, totals: $0.value) })
    }

    /// Adds the pending sums to `rollup_hourly` and `rollup_daily`, one upsert per row.
    mutating func flush(into sql: any LedgerSQL) throws {
        let (hourly, daily) = take()
        for row in hourly { try sql.execute(Self.hourlyUpsert, Self.values(row.key, row.totals)) }
        for row in daily { try sql.execute(Self.dailyUpsert, Self.values(row.key, row.totals)) }
    }

    // Built once: building the SQL text on every flush cost more than running it.
    private static let hourlyUpsert = upsertSQL(into: "rollup_hourly", timeColumn: "hour", rows: 1)
    private static let dailyUpsert = upsertSQL(into: "rollup_daily", timeColumn: "day", rows: 1)

    /// An upsert of `rows` rows into `table`: sums add.
    static func upsertSQL(into table: String, timeColumn: String, rows: Int) -> String {
        let measures = RollupColumns.measures
        let columns = [timeColumn, "provider_id", "model_id", "agent_id"] + measures
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return """
            INSERT INTO \(table) (\(columns.joined(separator: ", ")))
            VALUES \(Array(repeating: row, count: rows).joined(separator: ","))
            ON CONFLICT (\(timeColumn), provider_id, model_id, agent_id) DO UPDATE SET
            \(measures.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", "))
            """
    }

    /// The values of one rollup row, in the upsert's column order. `key.hour` holds the table's
    /// time unit (an hour, or a day for the daily table).
    static func values(_ key: RollupKey, _ totals: CallTotals) -> [SQLValue] {
        [
            .integer(key.hour), .integer(key.providerID), .integer(key.modelID), .integer(key.agentID), .integer(totals.calls),
            .integer(totals.usage.inputTokens), .integer(totals.usage.outputTokens), .integer(totals.usage.cacheReadTokens),
            .integer(totals.usage.cacheWrite5mTokens), .integer(totals.usage.cacheWrite1hTokens),
            .integer(totals.usage.reasoningTokens), .integer(totals.usage.webSearchRequests),
            .integer(totals.usage.webFetchRequests), .integer(totals.cost.nanoUSD), .integer(totals.unpricedCalls),
            .integer(totals.errorCalls),
        ]
    }
}
