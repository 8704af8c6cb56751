import Foundation
import LLMCostStore

/// Keeps the budget reservations of one meter's calls in flight from expiring.
///
/// A reservation expires after the meter's lifetime so that a crashed process cannot hold
/// budget forever; a live call that runs longer (a long stream, a slow provider) must not lose
/// its hold. One background task per meter renews every reservation still held, in one ledger
/// transaction, every third of the lifetime: a reservation's expiry is thus always at least two
/// thirds of a lifetime away while its call runs. Holding and letting go are a dictionary update
/// under a lock, nothing per chunk; the timer only runs while some reservation is held.
final class ReservationKeeper: @unchecked Sendable {
    private let ledger: Ledger
    private let lifetime: Duration
    private let warn: @Sendable (String) -> Void
    private let lock = NSLock()
    private var held: [String: BudgetReservation] = [:]
    private var renewing = false
    private let renewals = DispatchQueue(label: "llm-cost.reservation-renewal", qos: .utility)
    /// The running renewal timer (kept alive here; it cancels itself when nothing is held).
    private var timer: DispatchSourceTimer?

    init(ledger: Ledger, lifetime: Duration, warn: @escaping @Sendable (String) -> Void) {
        self.ledger = ledger
        self.lifetime = lifetime
        self.warn = warn
    }

    deinit { timer?.cancel() }

    /// Starts keeping `reservation` alive until `letGo`.
    func hold(_ reservation: BudgetReservation) {
        let startRenewing = lock.withLock {
            held[reservation.id] = reservation
            defer { renewing = true }
            return !renewing
        }
        if startRenewing {
            // A timer on its own queue, not a task: renewals must not wait behind whatever keeps
            // Swift's cooperative threads busy. Weakly held: a dropped meter does not keep its
            // ledger open for minutes; the timer stops once nothing is held.
            let interval = lifetime / 3
            let timer = DispatchSource.makeTimerSource(queue: renewals)
            let nanoseconds = Int(interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000)
            timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
            timer.setEventHandler { [weak self] in _ = self?.renewHeld() }
            timer.resume()
            lock.withLock { self.timer = timer }
        }
    }

    /// Stops renewing `reservation` (its call is settling it).
    func letGo(_ reservation: BudgetReservation) {
        lock.withLock { held[reservation.id] = nil }
    }

    /// Renews every held reservation; returns `false` (and stops the timer) when nothing is
    /// held, so the next `hold` starts a new one.
    private func renewHeld() -> Bool {
        let reservations: [BudgetReservation]? = lock.withLock {
            if held.isEmpty {
                renewing = false
                timer?.cancel()
                timer = nil
                return nil
            }
            return Array(held.values)
        }
        guard let reservations else { return false }
        do {
            let missing = try ledger.renew(reservations, expiresAfter: lifetime)
            // A reservation settled while the renewal ran is missing too: only those still held
            // were really lost (the process slept past their expiry).
            let lost = lock.withLock {
                missing.filter { held.removeValue(forKey: $0.id) != nil }
            }
            for reservation in lost {
                warn("the reservation of a call in flight (\(reservation.amount.formatted(places: 6)) against "
                    + "\(reservation.budgets.joined(separator: ", "))) expired before it could be renewed; "
                    + "the call goes on without a budget hold")
            }
        } catch {
            warn("could not renew the budget reservations of calls in flight (they expire after the reservation lifetime): \(error)")
        }
        return true
    }
}
