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
        return try transaction(.read) { sql in try Self.sum(of: .unpricedCalls, for: budget, in: window, sql: sql) }
    }

    /// The exact recorded cost of the budget's calls in `window`: rollups for whole hours and
    /// days, raw rows only for partial hours (zones with a half-hour offset) and tag scopes.
    ///
    /// Runs on every reservation, inside the write lock, so every query is a cached prepared
    /// statement on SQLite (compiling the SQL each time cost more than running it).
    static func spent(of budget: BudgetDefinition, in window: BudgetWindow, sql: any LedgerSQL) throws -> Money {
        Money(nanoUSD: try sum(of: .cost, for: budget, in: window, sql: sql))
    }

    /// `measure` summed over the budget's calls in `window`.
    private static func sum(of measure: BudgetMeasure, for budget: BudgetDefinition, in window: BudgetWindow, sql: any LedgerSQL) throws -> Int64 {
        var filter: (sql: String, arguments: [SQLValue])?
        switch budget.scope {
        case .all: break
        case .tag(let key, let value):
            let members = "tag_set_id IN (SELECT tag_set_id FROM tag_set_members WHERE key = ? AND value = ?)"
            return try sum(
                measure, "calls", timeColumn: "ts_ms", unit: 1, from: window.start, to: window.end,
                filter: (members, [.text(key), .text(value)]), sql: sql)
        case .provider(let name), .model(let name), .agent(let name):
            // Nobody ever called it: nothing spent.
            guard let id = try sql.firstRow("SELECT id FROM names WHERE name = ?", [.text(name)])?.integer(0) else { return 0 }
            let column = switch budget.scope {
            case .provider: "provider_id"
            case .model: "model_id"
            default: "agent_id"
            }
            filter = ("\(column) = ?", [.integer(id)])
        }
        var total: Int64 = 0
        for piece in windowPieces(since: window.start, until: window.end, allowDays: true) {
            switch piece.source {
            case .raw:
                total += try sum(measure, "calls", timeColumn: "ts_ms", unit: 1, from: piece.from, to: piece.to, filter: filter, sql: sql)
            case .hourly:
                total += try sum(
                    measure, "rollup_hourly", timeColumn: "hour", unit: 3_600_000, from: piece.from, to: piece.to, filter: filter, sql: sql)
            case .daily:
                total += try sum(
                    measure, "rollup_daily", timeColumn: "day", unit: 86_400_000, from: piece.from, to: piece.to, filter: filter, sql: sql)
            }
        }
        return total
    }

    /// `measure` of `table` over `[from, to)` ms, `unit` being the ms in one step of the
    /// table's time column (1 for raw rows).
    private static func sum(
        _ measure: BudgetMeasure, _ table: String, timeColumn: String, unit: Int64, from: Int64?, to: Int64?,
        filter: (sql: String, arguments: [SQLValue])?, sql: any LedgerSQL
    ) throws -> Int64 {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let from { conditions.append("\(timeColumn) >= ?"); arguments.append(.integer(floorDiv(from, unit))) }
        if let to { conditions.append("\(timeColumn) < ?"); arguments.append(.integer(floorDiv(to, unit))) }
        if let filter { conditions.append(filter.sql); arguments += filter.arguments }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try sql.firstRow("SELECT \(measure.sql(rawRows: table == "calls")) FROM \(table)" + whereClause, arguments)?.integer(0) ?? 0
    }

    /// Unexpired reservations held against `budget`.
    static func reserved(against budget: String, nowMs: Int64, sql: any LedgerSQL) throws -> Money {
        Money(nanoUSD: try sql.firstRow(
            "SELECT COALESCE(SUM(amount_nano), 0) FROM budget_reservations WHERE budget = ? AND expires_ms > ?",
            [.text(budget), .integer(nowMs)])?.integer(0) ?? 0)
    }
}
