import Foundation
import GRDB
import LLMCostCore

/// Worst-case cost held against hard budgets while one call is in flight.
public struct BudgetReservation: Sendable, Hashable {
    /// Shared by the rows of every budget the call reserved against.
    public let id: String
    public let amount: Money
    public let budgets: [String]
}

/// Why a reservation was refused: the first budget it would have taken over the limit.
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
    /// Reservations older than their expiry (a crashed process's) are deleted first.
    public func reserve(
        _ amount: Money, against budgets: [BudgetDefinition], now: Date = Date(), expiresAfter ttl: Duration = .seconds(900)
    ) throws -> ReservationOutcome {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let expiresMs = nowMs + ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000
        let id = UUID().uuidString
        return try immediateTransaction { db in
            try db.execute(sql: "DELETE FROM budget_reservations WHERE expires_ms <= ?", arguments: [nowMs])
            for budget in budgets {
                let window = budget.window(containing: now)
                let spent = try Self.spent(of: budget, in: window, db: db)
                let reserved = try Self.reserved(against: budget.name, nowMs: nowMs, db: db)
                if spent + reserved + amount > budget.limit {
                    return .refused(BudgetRefusal(
                        budget: budget.name, spent: spent, reserved: reserved, limit: budget.limit, requested: amount,
                        window: window))
                }
            }
            for budget in budgets {
                try db.execute(
                    sql: """
                        INSERT INTO budget_reservations (reservation, budget, amount_nano, created_ms, expires_ms)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [id, budget.name, amount.nanoUSD, nowMs, expiresMs])
            }
            return .reserved(BudgetReservation(id: id, amount: amount, budgets: budgets.map(\.name)))
        }
    }

    /// Records the call and drops its reservation in one transaction: the spend moves from
    /// "reserved" to "spent" without a moment where it counts twice or not at all.
    @discardableResult
    public func settle(
        _ reservation: BudgetReservation?, recording record: CallRecord, pricing: (any CallPricing)? = nil
    ) throws -> WriteOutcome {
        var committedNames: [String: Int64] = [:]
        var committedTagSets: [String: Int64] = [:]
        let outcome = try immediateTransaction { db -> WriteOutcome in
            let session = try LedgerWriteSession(db: db, pricing: pricing, knownNames: knownNames, knownTagSets: knownTagSets)
            let outcome = try session.insert(record)
            try session.finish()
            if let reservation {
                try db.execute(sql: "DELETE FROM budget_reservations WHERE reservation = ?", arguments: [reservation.id])
            }
            committedNames = session.newNames
            committedTagSets = session.newTagSets
            return outcome
        }
        knownNames.learn(committedNames)
        knownTagSets.learn(committedTagSets)
        return outcome
    }

    /// Gives a reservation back without recording anything (the call never went out).
    public func release(_ reservation: BudgetReservation) throws {
        try immediateTransaction { db in
            try db.execute(sql: "DELETE FROM budget_reservations WHERE reservation = ?", arguments: [reservation.id])
        }
    }

    /// Spend and reservations of `budget` in the period containing `now`.
    public func usage(of budget: BudgetDefinition, now: Date = Date()) throws -> BudgetUsage {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let window = budget.window(containing: now)
        return try read { db in
            BudgetUsage(
                budget: budget, window: window, spent: try Self.spent(of: budget, in: window, db: db),
                reserved: try Self.reserved(against: budget.name, nowMs: nowMs, db: db))
        }
    }

    // MARK: - Sums

    /// The exact recorded cost of the budget's calls in `window`: rollups for whole hours and
    /// days, raw rows only for partial hours (zones with a half-hour offset) and tag scopes.
    static func spent(of budget: BudgetDefinition, in window: BudgetWindow, db: Database) throws -> Money {
        var nameFilter: (column: String, id: Int64)?
        switch budget.scope {
        case .all, .tag: break
        case .provider(let name), .model(let name), .agent(let name):
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM names WHERE name = ?", arguments: [name]) else {
                return .zero // nobody ever called it
            }
            let column = switch budget.scope {
            case .provider: "provider_id"
            case .model: "model_id"
            default: "agent_id"
            }
            nameFilter = (column, id)
        }
        if case .tag(let key, let value) = budget.scope {
            return try sumRaw(
                from: window.start, to: window.end,
                extra: ("tag_set_id IN (SELECT tag_set_id FROM tag_set_members WHERE key = ? AND value = ?)", [key, value]),
                db: db)
        }
        let extra: (String, [DatabaseValueConvertible])? = nameFilter.map { ("\($0.column) = ?", [$0.id]) }
        var total = Money.zero
        for piece in windowPieces(since: window.start, until: window.end, allowDays: true) {
            switch piece.source {
            case .raw: total += try sumRaw(from: piece.from, to: piece.to, extra: extra, db: db)
            case .hourly: total += try sumRollup("rollup_hourly", "hour", unit: 3_600_000, piece: piece, extra: extra, db: db)
            case .daily: total += try sumRollup("rollup_daily", "day", unit: 86_400_000, piece: piece, extra: extra, db: db)
            }
        }
        return total
    }

    private static func sumRaw(
        from: Int64?, to: Int64?, extra: (String, [DatabaseValueConvertible])?, db: Database
    ) throws -> Money {
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible] = []
        if let from { conditions.append("ts_ms >= ?"); arguments.append(from) }
        if let to { conditions.append("ts_ms < ?"); arguments.append(to) }
        if let extra { conditions.append(extra.0); arguments += extra.1 }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let nano = try Int64.fetchOne(
            db, sql: "SELECT COALESCE(SUM(cost_nano), 0) FROM calls" + whereClause, arguments: StatementArguments(arguments))
        return Money(nanoUSD: nano ?? 0)
    }

    private static func sumRollup(
        _ table: String, _ timeColumn: String, unit: Int64, piece: WindowPiece, extra: (String, [DatabaseValueConvertible])?,
        db: Database
    ) throws -> Money {
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible] = []
        if let from = piece.from { conditions.append("\(timeColumn) >= ?"); arguments.append(floorDiv(from, unit)) }
        if let to = piece.to { conditions.append("\(timeColumn) < ?"); arguments.append(floorDiv(to, unit)) }
        if let extra { conditions.append(extra.0); arguments += extra.1 }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let nano = try Int64.fetchOne(
            db, sql: "SELECT COALESCE(SUM(cost_nano), 0) FROM \(table)" + whereClause, arguments: StatementArguments(arguments))
        return Money(nanoUSD: nano ?? 0)
    }

    static func reserved(against budget: String, nowMs: Int64, db: Database) throws -> Money {
        let nano = try Int64.fetchOne(
            db, sql: "SELECT COALESCE(SUM(amount_nano), 0) FROM budget_reservations WHERE budget = ? AND expires_ms > ?",
            arguments: [budget, nowMs])
        return Money(nanoUSD: nano ?? 0)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before the first
    /// read, so what `body` reads cannot change under it in another process.
    func immediateTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw LedgerError.sqlite(path: path, detail: "transaction returned nothing") }
                return result
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.translate(error, path: path)
        }
    }
}
