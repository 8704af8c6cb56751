import Foundation
import LLMCostStore

/// Runs one meter's alert checks and deliveries in the background, one batch at a time, so a
/// slow or dead webhook never delays a call (it could otherwise hold a call for timeout x
/// retries). Calls that finish while a batch runs are merged into the next batch: a threshold
/// is checked against the ledger's latest spend either way, and the ledger's claim keeps each
/// alert once per period whichever batch (or process) gets there first.
final class AlertQueue: @unchecked Sendable {
    private let dispatcher: AlertDispatcher
    private let ledger: Ledger
    private let lock = NSLock()
    /// Budgets to check in the next batch, by name.
    private var pending: [String: BudgetDefinition] = [:]
    private var hasPending = false
    private var running = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Thresholds known to be claimed; touched only by the one running `work()`.
    private var claimed: Set<AlertKey> = []

    init(dispatcher: AlertDispatcher, ledger: Ledger) {
        self.dispatcher = dispatcher
        self.ledger = ledger
    }

    /// Queues a check of `budgets` (and a pass over failed deliveries due for a retry).
    func submit(_ budgets: [BudgetDefinition]) {
        let start = lock.withLock {
            for budget in budgets { pending[budget.name] = budget }
            hasPending = true
            defer { running = true }
            return !running
        }
        if start {
            Task.detached { [self] in await work() }
        }
    }

    /// Returns once every queued check has run and its deliveries succeeded or were recorded as
    /// failed for a later retry.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = lock.withLock {
                if !running { return true }
                waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func work() async {
        while true {
            let batch: [BudgetDefinition]? = lock.withLock {
                guard hasPending else { return nil }
                defer {
                    pending.removeAll(keepingCapacity: true)
                    hasPending = false
                }
                return Array(pending.values)
            }
            guard let batch else {
                let waiting = lock.withLock {
                    // Re-checked under the lock: a submit may have come in since.
                    if hasPending { return nil as [CheckedContinuation<Void, Never>]? }
                    running = false
                    defer { waiters.removeAll() }
                    return waiters
                }
                guard let waiting else { continue }
                for waiter in waiting { waiter.resume() }
                return
            }
            await dispatcher.evaluate(batch, ledger: ledger, claimed: &claimed)
        }
    }
}
