import Foundation
import LLMCostCore
import LLMCostStore

/// Warns about the first call per budget that cost more than the worst case it reserved.
///
/// Every overrun is recorded in the ledger (and shown by `budget status`); warning about each
/// would flood a process whose estimates are off for a whole model, so one line per budget says
/// that the limit is being passed and where to look.
final class OverrunWarnings: @unchecked Sendable {
    private let lock = NSLock()
    private var warned: Set<String> = []

    func warnFirst(of reservation: BudgetReservation, cost: Money, warn: @Sendable (String) -> Void) {
        let fresh = lock.withLock { reservation.budgets.filter { warned.insert($0).inserted } }
        guard !fresh.isEmpty else { return }
        let names = fresh.map { "\"\($0)\"" }.joined(separator: ", ")
        warn("a call cost \(cost.formatted(places: 6)), \((cost - reservation.amount).formatted(places: 6)) more than "
            + "the worst case it reserved (\(reservation.amount.formatted(places: 6))), so budget \(names) can pass its "
            + "limit by that much; later overruns are recorded without a warning (see `llm-cost budget status`)")
    }
}
