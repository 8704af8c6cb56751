import Foundation
import LLMCostCore
import LLMCostMetering

extension BudgetStatusReport {
    /// A plain-text table.
    public func table(timeZone: TimeZone = .current) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        var lines = [
            "budget            action  spent        reserved     remaining    limit        used    overrun      unpriced  period end            projected"
        ]
        for row in rows {
            let usage = row.usage
            let end = usage.window.end.map { formatter.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "never"
            let share = row.shareBasisPoints.map { "\($0 / 100).\(String(format: "%02d", $0 % 100))%" } ?? "-"
            let fields = [
                usage.budget.name.padded(17), usage.budget.action.rawValue.padded(7), usage.spent.formatted(places: 4).padded(12),
                usage.reserved.formatted(places: 4).padded(12), usage.remaining.formatted(places: 4).padded(12),
                usage.budget.limit.formatted(places: 4).padded(12), share.padded(7),
                (row.overruns.calls == 0 ? "-" : row.overruns.amount.formatted(places: 4)).padded(12),
                (row.unpricedCalls == 0 ? "-" : "\(row.unpricedCalls) calls").padded(9), end.padded(21),
                row.projected?.formatted(places: 4) ?? "-",
            ]
            lines.append(fields.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
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
        let objects = rows.map { row -> String in
            let usage = row.usage
            var fields = [
                "\"name\":\(jsonString(usage.budget.name))", "\"scope\":\(jsonString(usage.budget.scope.description))",
                "\"action\":\"\(usage.budget.action.rawValue)\"", "\"period\":\"\(usage.budget.period.rawValue)\"",
                "\"spent_usd\":\"\(usage.spent.decimalString)\"", "\"reserved_usd\":\"\(usage.reserved.decimalString)\"",
                "\"remaining_usd\":\"\(usage.remaining.decimalString)\"", "\"limit_usd\":\"\(usage.budget.limit.decimalString)\"",
                "\"over\":\(row.isOver)",
                "\"overrun_calls\":\(row.overruns.calls)", "\"overrun_usd\":\"\(row.overruns.amount.decimalString)\"",
                "\"unpriced_calls\":\(row.unpricedCalls)",
            ]
            fields.append("\"share_used_bp\":" + (row.shareBasisPoints.map(String.init) ?? "null"))
            fields.append("\"period_end_ms\":" + (usage.window.end.map(String.init) ?? "null"))
            fields.append("\"projected_usd\":" + (row.projected.map { "\"\($0.decimalString)\"" } ?? "null"))
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + objects.joined(separator: ",") + "]\n"
    }
}

/// `text` as a JSON string literal, through the one JSON writer.
private func jsonString(_ text: String) -> String {
    var writer = JSONWriter()
    writer.string(text)
    return writer.text
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
