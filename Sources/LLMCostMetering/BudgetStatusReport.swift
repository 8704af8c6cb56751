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
}
