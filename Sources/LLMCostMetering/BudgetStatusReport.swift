import Foundation
import LLMCostCore
import LLMCostStore

/// Where each budget stands now: `llm-cost budget status` and `budget check`.
///
/// The projection is the period's spend at its current burn rate plus what calls in flight
/// hold: `spent × period length ÷ elapsed + reserved`. Reservations are added once, not
/// extrapolated: they are calls already made, whose worst case is not yet settled.
public struct BudgetStatusReport: Sendable {
    public struct Row: Sendable {
        public var usage: BudgetUsage
        /// Spend at the current burn rate by the period's end, plus reservations (`nil` for
        /// `total` budgets, which have no end).
        public var projected: Money?
        /// Calls of this period that cost more than the worst case they reserved.
        public var overruns: BudgetOverruns
        /// Calls of this period the budget could not count: no price (let through by a `warn`
        /// budget or `unpriced = "allow"`).
        public var unpricedCalls: Int64
        /// Spent plus reserved, in basis points of the limit (`nil` for a zero limit).
        public var shareBasisPoints: Int64?
        /// Whether recorded spend has reached the limit.
        public var isOver: Bool { usage.spent >= usage.budget.limit && usage.budget.limit > .zero || (usage.budget.limit == .zero && usage.spent > .zero) }
    }

    public var rows: [Row]

    public init(ledger: Ledger, budgets: [BudgetDefinition], now: Date = Date()) throws {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        rows = try budgets.map { budget in
            let usage = try ledger.usage(of: budget, now: now)
            let projected = usage.window.end.flatMap { end in
                Self.projection(spent: usage.spent, reserved: usage.reserved, start: usage.window.start, end: end, nowMs: nowMs)
            }
            let held = Money(nanoUSD: Int64(clamping: Int128(usage.spent.nanoUSD) + Int128(usage.reserved.nanoUSD)))
            let share = held.basisPoints(of: budget.limit)
            return Row(
                usage: usage, projected: projected, overruns: try ledger.overruns(of: budget, now: now),
                unpricedCalls: try ledger.unpricedCalls(of: budget, now: now), shareBasisPoints: share)
        }
    }

    /// `spent × (end − start) ÷ (now − start) + reserved`, in integer nano-dollars (no float
    /// touches money); `nil` before the period has begun.
    public static func projection(spent: Money, reserved: Money, start: Int64?, end: Int64, nowMs: Int64) -> Money? {
        guard let start, nowMs > start else { return nil }
        let burned = Int128(spent.nanoUSD) * Int128(end - start) / Int128(nowMs - start)
        return Money(nanoUSD: Int64(clamping: burned + Int128(reserved.nanoUSD)))
    }

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

private func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
