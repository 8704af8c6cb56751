import Foundation
import LLMCostCore
import LLMCostMetering

extension BudgetStatusReport {
    /// A plain-text table, one row per budget in config order.
    public func table(timeZone: TimeZone = .current) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        let cells = rows.map { row -> [String] in
            let usage = row.usage
            let end = usage.window.end.map { formatter.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "never"
            let share = row.shareBasisPoints.map { "\($0 / 100).\(String(format: "%02d", $0 % 100))%" } ?? "-"
            return [
                usage.budget.name, usage.budget.action.rawValue, usage.spent.formatted(places: 4),
                usage.reserved.formatted(places: 4), usage.remaining.formatted(places: 4),
                usage.budget.limit.formatted(places: 4), share,
                row.overruns.calls == 0 ? "-" : row.overruns.amount.formatted(places: 4),
                row.unpricedCalls == 0 ? "-" : "\(row.unpricedCalls) calls", end,
                row.projected?.formatted(places: 4) ?? "-",
            ]
        }
        let header = ["budget", "action", "spent", "reserved", "remaining", "limit", "used", "overrun", "unpriced", "period end", "projected"]
        return TextTable(header: header, rows: cells, rightAligned: [2, 3, 4, 5, 6, 7, 10]).text
    }

    /// A JSON array, one object per budget in config order, money as decimal strings of USD:
    /// `name`, `scope` ("all calls", "agent NAME", ...), `action` (warn|block), `period`
    /// (day|week|month|total), `spent_usd`, `reserved_usd`, `remaining_usd` (limit − spent −
    /// reserved; negative when over), `limit_usd`, `over` (bool: spent ≥ limit),
    /// `share_used_bp` ((spent + reserved) in basis points of the limit; null for a zero
    /// limit), `overrun_calls`, `overrun_usd` (calls that cost more than they reserved, and by
    /// how much in total), `unpriced_calls` (calls it could not count: no price),
    /// `period_end_ms` (null for total), `projected_usd` (null for total).
    public func json() -> String {
        JSONDocument.array(rows.map { row in
            let usage = row.usage
            return .object([
                "name": .string(usage.budget.name), "scope": .string(usage.budget.scope.description),
                "action": .string(usage.budget.action.rawValue), "period": .string(usage.budget.period.rawValue),
                "spent_usd": .string(usage.spent.decimalString), "reserved_usd": .string(usage.reserved.decimalString),
                "remaining_usd": .string(usage.remaining.decimalString), "limit_usd": .string(usage.budget.limit.decimalString),
                "over": .bool(row.isOver),
                "overrun_calls": .integer(Int64(row.overruns.calls)), "overrun_usd": .string(row.overruns.amount.decimalString),
                "unpriced_calls": .integer(Int64(row.unpricedCalls)),
                "share_used_bp": row.shareBasisPoints.map { .integer(Int64($0)) },
                "period_end_ms": usage.window.end.map(JSONDocument.integer),
                "projected_usd": row.projected.map { .string($0.decimalString) },
            ])
        }).text()
    }
}
