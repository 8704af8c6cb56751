import LLMCostCore
import LLMCostStore

/// Why the meter refused a call. Nothing was sent: a refused call costs nothing.
///
/// Two reasons, both from a `block` budget:
/// - `isBudgetExceeded`: the call's worst case does not fit the budget's limit (after waiting,
///   up to the budget's `wait`, for calls in flight to settle, when only they were in the way);
/// - `isUnpricedModel`: the pricing cannot price the model, so the budget could not count the
///   call (unless the budget allows unpriced calls).
public struct MeteringError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case budgetExceeded
        case unpricedModel
    }

    private let code: Code
    /// The budget that refused the call.
    public let budget: String
    /// The refused call's provider and model, as called.
    public let provider: String
    public let model: String
    /// The budget's standing when it refused (`nil` for an unpriced model).
    public let standing: Standing?
    /// How long the call waited for reservations of calls in flight before it was refused.
    public var waited: Duration { .nanoseconds(waitedNanoseconds) }
    /// Kept as an integer: a `Duration` stored in the error (16-byte aligned `Int128`) was read
    /// back as garbage after the error crossed an `AsyncThrowingStream` (Swift 6.3.1, Linux,
    /// debug build), trapping in `description` about one run in three.
    private let waitedNanoseconds: Int64

    /// What a budget held when it refused a call over its limit.
    public struct Standing: Sendable, Hashable {
        /// Recorded spend in the budget's current period.
        public var spent: Money
        /// Held by calls in flight.
        public var reserved: Money
        public var limit: Money
        /// The worst-case cost the refused call asked to reserve.
        public var requested: Money
        /// When the budget's period ends and its spend starts again from zero (ms since 1970
        /// UTC); `nil` for a budget over all time.
        public var resetsAt: Int64?
    }

    private init(_ code: Code, budget: String, provider: String, model: String, standing: Standing?, waited: Duration) {
        self.code = code
        self.budget = budget
        self.provider = provider
        self.model = model
        self.standing = standing
        let (seconds, attoseconds) = waited.components
        waitedNanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func budgetExceeded(_ refusal: BudgetRefusal, provider: String, model: String, waited: Duration) -> MeteringError {
        .init(
            .budgetExceeded, budget: refusal.budget, provider: provider, model: model,
            standing: Standing(
                spent: refusal.spent, reserved: refusal.reserved, limit: refusal.limit, requested: refusal.requested,
                resetsAt: refusal.window.end),
            waited: waited)
    }

    static func unpricedModel(budget: String, provider: String, model: String) -> MeteringError {
        .init(.unpricedModel, budget: budget, provider: provider, model: model, standing: nil, waited: .zero)
    }

    /// A hard budget's limit refused the call before anything was sent.
    public var isBudgetExceeded: Bool { code == .budgetExceeded }

    /// A hard budget refused the call because its model has no price: it could not be counted.
    public var isUnpricedModel: Bool { code == .unpricedModel }

    public var description: String {
        switch code {
        case .budgetExceeded:
            guard let standing else { return "budget \"\(budget)\" refused the call" }
            let waitedNote = waited >= .milliseconds(1) ? " (after waiting \(waited.milliseconds) ms for calls in flight)" : ""
            return "budget \"\(budget)\" refused the call\(waitedNote): spent \(standing.spent.formatted(places: 6)) + reserved "
                + "\(standing.reserved.formatted(places: 6)) + this call's worst case \(standing.requested.formatted(places: 6)) "
                + "would exceed the limit \(standing.limit.formatted(places: 6))"
                + (standing.resetsAt.map { "; it resets at \(Timestamp.format(milliseconds: $0))" } ?? "")
        case .unpricedModel:
            return "budget \"\(budget)\" refused the call: \(provider)/\(model) has no price, so the budget cannot count it. "
                + "Price it (a pricing file with provider = \"\(provider)\" and the model, or `pricing_provider` in "
                + "[providers.\(provider)]; `llm-cost pricing resolve \(model) --provider \(provider)` shows what was tried), "
                + "or set unpriced = \"allow\" on the budget"
        }
    }
}
