import LLMCostCore
import LLMCostStore

/// Why the meter refused a call.
public struct MeteringError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case budgetExceeded
    }

    private let code: Code
    /// The budget that refused the call.
    public let budget: String
    /// Recorded spend in the budget's current period.
    public let spent: Money
    /// Held by calls in flight.
    public let reserved: Money
    public let limit: Money
    /// The worst-case cost the refused call asked to reserve.
    public let requested: Money

    private init(_ code: Code, budget: String, spent: Money, reserved: Money, limit: Money, requested: Money) {
        self.code = code
        self.budget = budget
        self.spent = spent
        self.reserved = reserved
        self.limit = limit
        self.requested = requested
    }

    static func budgetExceeded(_ refusal: BudgetRefusal) -> MeteringError {
        .init(.budgetExceeded, budget: refusal.budget, spent: refusal.spent, reserved: refusal.reserved,
              limit: refusal.limit, requested: refusal.requested)
    }

    /// A hard budget refused the call before anything was sent.
    public var isBudgetExceeded: Bool { code == .budgetExceeded }

    public var description: String {
        "budget \"\(budget)\" refused the call: spent \(spent.formatted(places: 6)) + reserved \(reserved.formatted(places: 6)) "
            + "+ this call's worst case \(requested.formatted(places: 6)) would exceed the limit \(limit.formatted(places: 6))"
    }
}
