import Foundation
import Synchronization
import LLMCostCore

/// Worst-case cost held against hard budgets while one call is in flight.
public struct BudgetReservation: Sendable, Hashable {
    /// Shared by the rows of every budget the call reserved against.
    public let id: String
    public let amount: Money
    public let budgets: [String]
}

/// Why a reservation was refused: a budget it would have taken over the limit (one whose
/// recorded spend alone leaves no room, if there is one; else the first).
public struct BudgetRefusal: Sendable, Hashable {
    public var budget: String
    /// Recorded actual cost in the budget's current period.
    public var spent: Money
    /// Held by other calls in flight.
    public var reserved: Money
    public var limit: Money
    /// What the refused call asked to reserve.
    public var requested: Money
    public var window: BudgetWindow

    /// Whether the call would fit but for other calls' reservations (`spent + requested <= limit`):
    /// waiting for them to settle may make room. Otherwise it cannot fit this period.
    public var isBlockedOnlyByReservations: Bool { spent + requested <= limit }
}

/// The result of trying to reserve.
public enum ReservationOutcome: Sendable, Hashable {
    case reserved(BudgetReservation)
    case refused(BudgetRefusal)
}

/// Where a budget stands in its current period.
public struct BudgetUsage: Sendable, Hashable {
    public var budget: BudgetDefinition
    public var window: BudgetWindow
    /// Exact sum of recorded costs of the budget's calls in the window (unpriced calls add nothing).
    public var spent: Money
    /// Unexpired reservations of calls in flight.
    public var reserved: Money

    /// What is left of the limit after spend and reservations (negative when over).
    public var remaining: Money { budget.limit - spent - reserved }
}

extension Ledger {
    /// Atomically checks every budget and reserves `amount` against all of them, or none.
    ///
    /// Runs in one `BEGIN IMMEDIATE` transaction, so no other process can record or reserve
    /// between the check and the reservation: concurrent callers cannot jointly overspend.
    /// Reservations older than their expiry (a crashed process's) are deleted first. A refusal
    /// names a budget whose spend alone leaves no room when there is one (waiting cannot help),
    /// else the first budget held up by reservations (see `BudgetRefusal.isBlockedOnlyByReservations`).
    public func reserve(
        _ amount: Money, against budgets: [BudgetDefinition], now: Date = Date(), expiresAfter ttl: Duration = .seconds(900)
    ) throws -> ReservationOutcome {
        let nowMs = Self.milliseconds(now)
        let expiresMs = nowMs + ttl.milliseconds
        let windows = budgets.map { $0.window(containing: now) }
        let id = ReservationID.next()
        return try transaction(.budgets(budgets.map(\.name))) { sql in
            try sql.executeDeferred("DELETE FROM budget_reservations WHERE expires_ms <= ?", [.integer(nowMs)])
            var heldUp: BudgetRefusal?
            for (budget, window) in zip(budgets, windows) {
                let (spent, reserved) = try Self.spentAndReserved(of: budget, in: window, nowMs: nowMs, sql: sql)
                if spent + reserved + amount > budget.limit {
                    let refusal = BudgetRefusal(
                        budget: budget.name, spent: spent, reserved: reserved, limit: budget.limit, requested: amount,
                        window: window)
                    if !refusal.isBlockedOnlyByReservations { return .refused(refusal) }
                    if heldUp == nil { heldUp = refusal }
                }
            }
            if let heldUp { return .refused(heldUp) }
            // Answered by the commit: the reservation stands once the transaction does.
            for budget in budgets {
                try sql.executeDeferred("""
                    INSERT INTO budget_reservations (reservation, budget, amount_nano, created_ms, expires_ms)
                    VALUES (?, ?, ?, ?, ?)
                    """, [.text(id), .text(budget.name), .integer(amount.nanoUSD), .integer(nowMs), .integer(expiresMs)])
            }
            return .reserved(BudgetReservation(id: id, amount: amount, budgets: budgets.map(\.name)))
        }
    }

    /// Records the call and drops its reservation in one transaction: the spend moves from
    /// "reserved" to "spent" without a moment where it counts twice or not at all.
    ///
    /// A call whose recorded cost exceeds its reservation (the worst case was wrong: the input
    /// estimate ran low, or the provider billed something the worst case does not price, such
    /// as cache writes or server tools) is noted in `budget_overruns`, in the same transaction.
    /// What a `block` budget guarantees is therefore exact and checkable: at every commit,
    /// `spent + reserved <= limit + overrun`, where `overrun` is the sum over the period's settled
    /// calls of `cost - reserved` where positive (see `overruns(of:now:)`). Spend past the limit
    /// comes only from overruns, each one recorded, and only calls already in flight can add to
    /// it: once spend reaches the limit every new reservation is refused.
    @discardableResult
    public func settle(
        _ reservation: BudgetReservation?, recording record: CallRecord, pricing: (any CallPricing)? = nil
    ) throws -> WriteOutcome {
        // Calls of this process waiting for room re-check at once (others see the WAL change).
        defer { if reservation != nil { changes.signal() } }
        return try inWriteSession(pricing: pricing, kind: .settlement) { session -> WriteOutcome in
            let outcome = try session.insert(record)
            if let reservation {
                if let notice = dialect.changeNotice { try session.sql.executeDeferred(notice, []) }
                let expired = try Self.delete(reservation, sql: session.sql)
                if outcome == .inserted, let cost = record.cost, cost > .zero {
                    // Over its reservation, or past it: a reservation that expired (its process
                    // slept beyond the lifetime) held nothing when others reserved.
                    let held = reservation.budgets.filter { !expired.contains($0) }
                    if cost > reservation.amount, !held.isEmpty {
                        try Self.noteOverrun(against: held, reserved: reservation.amount, cost: cost, record: record, sql: session.sql)
                    }
                    if !expired.isEmpty {
                        try Self.noteOverrun(against: expired, reserved: .zero, cost: cost, record: record, sql: session.sql)
                    }
                }
            }
            return outcome
        }
    }

    /// Gives a reservation back without recording anything (the call never went out).
    public func release(_ reservation: BudgetReservation) throws {
        defer { changes.signal() }
        let notice = dialect.changeNotice
        try transaction(.settlement) { sql in
            _ = try Self.delete(reservation, sql: sql)
            if let notice { try sql.executeDeferred(notice, []) }
        }
    }

    /// How often a call waiting for budget room re-checks even without a change notification:
    /// a crashed process's reservation expires without any write, and a ledger on a network
    /// file system gets no notifications from other machines.
    public static let changeRecheckInterval: Duration = .milliseconds(250)

    /// A counter that moves whenever the ledger may have changed (see `waitForChange`): read it
    /// before a check that failed, then wait for it to move.
    public var changeGeneration: UInt64 { changes.generation }

    /// Waits until a write to the ledger (from this process or another) may have made room,
    /// that is until the change generation moves past `generation`, or until `deadline`, or
    /// until the task is cancelled. A wake-up is a hint to re-check, not a promise of room.
    public func waitForChange(after generation: UInt64, until deadline: ContinuousClock.Instant) async {
        await changes.wait(after: generation, until: deadline)
    }

    /// Extends reservations of calls still in flight to expire `ttl` after `now`, so a call that
    /// outlives the reservation lifetime (a long stream) keeps its hold. Only unexpired rows are
    /// renewed: an expired one no longer counts, other callers may have reserved in its place,
    /// and reviving it could take the budget past its limit. Returns the reservations that were
    /// not found live (expired, or settled meanwhile), for the caller to report.
    @discardableResult
    public func renew(_ reservations: [BudgetReservation], now: Date = Date(), expiresAfter ttl: Duration) throws -> [BudgetReservation] {
        guard !reservations.isEmpty else { return [] }
        let nowMs = Self.milliseconds(now)
        return try transaction(.settlement) { sql in
            var missing: [BudgetReservation] = []
            for reservation in reservations {
                var renewed = 0
                for budget in reservation.budgets {
                    renewed += try sql.execute(
                        "UPDATE budget_reservations SET expires_ms = ? WHERE budget = ? AND reservation = ? AND expires_ms > ?",
                        [.integer(nowMs + ttl.milliseconds), .text(budget), .text(reservation.id), .integer(nowMs)])
                }
                if renewed == 0 { missing.append(reservation) }
            }
            return missing
        }
    }

    /// Spend and reservations of `budget` in the period containing `now`.
    public func usage(of budget: BudgetDefinition, now: Date = Date()) throws -> BudgetUsage {
        let nowMs = Self.milliseconds(now)
        let window = budget.window(containing: now)
        return try transaction(.read) { sql in
            let (spent, reserved) = try Self.spentAndReserved(of: budget, in: window, nowMs: nowMs, sql: sql)
            return BudgetUsage(budget: budget, window: window, spent: spent, reserved: reserved)
        }
    }

    /// Deletes the reservation's rows; returns the budgets whose row was already gone (expired
    /// and swept by another caller).
    @discardableResult
    private static func delete(_ reservation: BudgetReservation, sql: any LedgerSQL) throws -> [String] {
        var gone: [String] = []
        for budget in reservation.budgets {
            let deleted = try sql.execute(
                "DELETE FROM budget_reservations WHERE budget = ? AND reservation = ?", [.text(budget), .text(reservation.id)])
            if deleted == 0 { gone.append(budget) }
        }
        return gone
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// Reservation ids: a random prefix drawn once per process, then a counter. As unique across
/// processes as a UUID, without Foundation's UUID reading /dev/urandom (an `open` and a `read`
/// on Linux) on every call.
enum ReservationID {
    private static let prefix = UUID().uuidString
    private static let counter = Atomic<Int64>(0)

    static func next() -> String {
        "\(prefix)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }
}

