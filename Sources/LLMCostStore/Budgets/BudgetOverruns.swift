import Foundation
import LLMCostCore

/// Calls of a budget's period that cost more than the worst case they reserved: how far spend
/// can be past a `block` budget's limit (see `Ledger.settle`).
public struct BudgetOverruns: Sendable, Hashable {
    /// How many settled calls cost more than they reserved.
    public var calls: Int64
    /// The sum of `cost - reserved` over those calls.
    public var amount: Money

    public init(calls: Int64 = 0, amount: Money = .zero) {
        self.calls = calls
        self.amount = amount
    }
}

extension Ledger {
    /// Overruns of `budget` in the period containing `now` (calls counted by their start time,
    /// as spend is).
    public func overruns(of budget: BudgetDefinition, now: Date = Date()) throws -> BudgetOverruns {
        let window = budget.window(containing: now)
        return try transaction(.read) { sql in
            let row = try sql.firstRow("""
                SELECT COUNT(*), COALESCE(SUM(cost_nano - reserved_nano), 0)
                FROM budget_overruns WHERE budget = ? AND ts_ms >= ? AND ts_ms < ?
                """, [.text(budget.name), .integer(window.start ?? Int64.min), .integer(window.end ?? Int64.max)])
            return BudgetOverruns(calls: row?.integer(0) ?? 0, amount: Money(nanoUSD: row?.integer(1) ?? 0))
        }
    }

    /// Notes, for each budget the call reserved against, that it cost more than it reserved.
    static func noteOverrun(against budgets: [String], reserved: Money, cost: Money, record: CallRecord, sql: any LedgerSQL) throws {
        for budget in budgets {
            try sql.execute(
                "INSERT INTO budget_overruns (budget, ts_ms, reserved_nano, cost_nano, request_id) VALUES (?, ?, ?, ?, ?)",
                [.text(budget), .integer(record.epochMilliseconds), .integer(reserved.nanoUSD), .integer(cost.nanoUSD),
                 .optional(record.requestID)])
        }
    }
}
