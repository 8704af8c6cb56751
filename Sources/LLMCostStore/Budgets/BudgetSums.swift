import Foundation
import LLMCostCore

/// What a budget query sums over its calls.
enum BudgetMeasure {
    /// Recorded cost, nano-dollars.
    case cost
    /// Calls without a price: spend the budget could not count.
    case unpricedCalls

    /// The SQL of the sum over raw rows or rollup rows.
    func sql(rawRows: Bool) -> String {
        switch self {
        case .cost: "COALESCE(SUM(cost_nano), 0)"
        case .unpricedCalls: rawRows ? "COALESCE(SUM(CASE WHEN cost_nano IS NULL THEN 1 ELSE 0 END), 0)" : "COALESCE(SUM(unpriced_calls), 0)"
        }
    }
}

extension Ledger {
    /// Calls in the budget's scope and current period that had no price: spend it could not
    /// count (let through by a `warn` budget, or a `block` budget with `unpriced = "allow"`).
    public func unpricedCalls(of budget: BudgetDefinition, now: Date = Date()) throws -> Int64 {
        let window = budget.window(containing: now)
        return try transaction(.read) { sql in
            let (text, arguments) = Self.sumSQL(of: .unpricedCalls, for: budget, in: window)
            return try sql.firstRow("SELECT " + text, arguments)?.integer(0) ?? 0
        }
    }

    /// The exact recorded cost of the budget's calls in `window` and the unexpired
    /// reservations held against it, read by one statement: one snapshot, so a settlement that
    /// moves an amount from reserved to spent is seen whole or not at all, even by a reader
    /// that holds no lock against it (PostgreSQL's reservations lock only one another).
    ///
    /// Spend comes from rollups for whole hours and days, raw rows only for partial hours
    /// (zones with a half-hour offset) and tag scopes.
    static func spentAndReserved(
        of budget: BudgetDefinition, in window: BudgetWindow, nowMs: Int64, sql: any LedgerSQL
    ) throws -> (spent: Money, reserved: Money) {
        let (spent, arguments) = sumSQL(of: .cost, for: budget, in: window)
        let row = try sql.firstRow(
            "SELECT \(spent), (SELECT COALESCE(SUM(amount_nano), 0) FROM budget_reservations WHERE budget = ? AND expires_ms > ?)",
            arguments + [.text(budget.name), .integer(nowMs)])
        return (Money(nanoUSD: row?.integer(0) ?? 0), Money(nanoUSD: row?.integer(1) ?? 0))
    }

    /// An expression summing `measure` over the budget's calls in `window`: scalar subqueries
    /// over the rollups and raw rows that cover the window, added.
    private static func sumSQL(of measure: BudgetMeasure, for budget: BudgetDefinition, in window: BudgetWindow) -> (String, [SQLValue]) {
        var filter: (sql: String, arguments: [SQLValue])?
        switch budget.scope {
        case .all: break
        case .tag(let key, let value):
            let members = "tag_set_id IN (SELECT tag_set_id FROM tag_set_members WHERE key = ? AND value = ?)"
            return sumSQL(
                measure, "calls", timeColumn: "ts_ms", unit: 1, from: window.start, to: window.end,
                filter: (members, [.text(key), .text(value)]))
        case .provider(let name), .model(let name), .agent(let name):
            // A name nobody ever called matches nothing: nothing spent.
            let column = switch budget.scope {
            case .provider: "provider_id"
            case .model: "model_id"
            default: "agent_id"
            }
            filter = ("\(column) = (SELECT id FROM names WHERE name = ?)", [.text(name)])
        }
        var parts: [String] = []
        var arguments: [SQLValue] = []
        for piece in windowPieces(since: window.start, until: window.end, allowDays: true) {
            let (part, values) = switch piece.source {
            case .raw:
                sumSQL(measure, "calls", timeColumn: "ts_ms", unit: 1, from: piece.from, to: piece.to, filter: filter)
            case .hourly:
                sumSQL(measure, "rollup_hourly", timeColumn: "hour", unit: 3_600_000, from: piece.from, to: piece.to, filter: filter)
            case .daily:
                sumSQL(measure, "rollup_daily", timeColumn: "day", unit: 86_400_000, from: piece.from, to: piece.to, filter: filter)
            }
            parts.append(part)
            arguments += values
        }
        return (parts.isEmpty ? "0" : parts.joined(separator: " + "), arguments)
    }

    /// `measure` of `table` over `[from, to)` ms as a scalar subquery, `unit` being the ms in
    /// one step of the table's time column (1 for raw rows).
    private static func sumSQL(
        _ measure: BudgetMeasure, _ table: String, timeColumn: String, unit: Int64, from: Int64?, to: Int64?,
        filter: (sql: String, arguments: [SQLValue])?
    ) -> (String, [SQLValue]) {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let from { conditions.append("\(timeColumn) >= ?"); arguments.append(.integer(floorDiv(from, unit))) }
        if let to { conditions.append("\(timeColumn) < ?"); arguments.append(.integer(floorDiv(to, unit))) }
        if let filter { conditions.append(filter.sql); arguments += filter.arguments }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return ("(SELECT \(measure.sql(rawRows: table == "calls")) FROM \(table)\(whereClause))", arguments)
    }
}
