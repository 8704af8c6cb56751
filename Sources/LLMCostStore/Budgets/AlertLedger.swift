import Foundation
import GRDB
import LLMCostCore

/// One threshold of one budget that fired in one period, as the ledger keeps it.
public struct AlertRecord: Sendable, Hashable {
    public var budget: String
    /// The period's start in ms (-1 for a `total` budget).
    public var periodKey: Int64
    public var thresholdBasisPoints: Int64
    public var firedAt: Int64
    public var spent: Money
    public var limit: Money
    public var delivered: Bool
    public var attempts: Int64
    public var lastError: String?

    public init(
        budget: String, periodKey: Int64, thresholdBasisPoints: Int64, firedAt: Int64, spent: Money, limit: Money,
        delivered: Bool = false, attempts: Int64 = 1, lastError: String? = nil
    ) {
        self.budget = budget
        self.periodKey = periodKey
        self.thresholdBasisPoints = thresholdBasisPoints
        self.firedAt = firedAt
        self.spent = spent
        self.limit = limit
        self.delivered = delivered
        self.attempts = attempts
        self.lastError = lastError
    }
}

extension Ledger {
    /// Claims the right to send one threshold's alert for one period. Returns `true` to exactly
    /// one caller across every process sharing the ledger (the row's primary key decides);
    /// everyone else gets `false` and must not send.
    public func claimAlert(
        budget: String, periodKey: Int64, thresholdBasisPoints: Int64, spent: Money, limit: Money, now: Date = Date()
    ) throws -> Bool {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        return try immediateTransaction { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO alert_state
                        (budget, period_start_ms, threshold_bp, fired_ms, spent_nano, limit_nano, attempts, attempted_ms)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                    """,
                arguments: [budget, periodKey, thresholdBasisPoints, nowMs, spent.nanoUSD, limit.nanoUSD, nowMs])
            return db.changesCount == 1
        }
    }

    /// Notes how a delivery attempt went: delivered, or the error to retry after.
    public func noteAlertDelivery(_ alert: AlertRecord, error: String?) throws {
        try immediateTransaction { db in
            try db.execute(
                sql: """
                    UPDATE alert_state SET delivered = ?, last_error = ?
                    WHERE budget = ? AND period_start_ms = ? AND threshold_bp = ?
                    """,
                arguments: [error == nil ? 1 : 0, error, alert.budget, alert.periodKey, alert.thresholdBasisPoints])
        }
    }

    /// Claims undelivered alerts whose last attempt began before `retryAfter` ago and that have
    /// had fewer than `maxAttempts`: each returned alert is this caller's to retry (the attempt
    /// count is bumped in the same transaction, so two processes never retry the same one).
    public func claimAlertRetries(maxAttempts: Int64, retryAfter: Duration, now: Date = Date()) throws -> [AlertRecord] {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let cutoff = nowMs - retryAfter.milliseconds
        // Almost always there is nothing to retry: find that out with a read, without taking
        // the write lock every call's check would otherwise contend for.
        let due = try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM alert_state WHERE delivered = 0 AND attempts < ? AND attempted_ms <= ?)",
                arguments: [maxAttempts, cutoff]) ?? false
        }
        guard due else { return [] }
        return try immediateTransaction { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM alert_state
                    WHERE delivered = 0 AND attempts < ? AND attempted_ms <= ?
                    ORDER BY fired_ms
                    """,
                arguments: [maxAttempts, cutoff])
            try db.execute(
                sql: """
                    UPDATE alert_state SET attempts = attempts + 1, attempted_ms = ?
                    WHERE delivered = 0 AND attempts < ? AND attempted_ms <= ?
                    """,
                arguments: [nowMs, maxAttempts, cutoff])
            return rows.map { Self.alertRecord($0, attemptsAdded: 1) }
        }
    }

    /// Every alert that fired, newest first.
    public func alerts() throws -> [AlertRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_state ORDER BY fired_ms DESC").map { Self.alertRecord($0, attemptsAdded: 0) }
        }
    }

    private static func alertRecord(_ row: Row, attemptsAdded: Int64) -> AlertRecord {
        AlertRecord(
            budget: row["budget"], periodKey: row["period_start_ms"], thresholdBasisPoints: row["threshold_bp"],
            firedAt: row["fired_ms"], spent: Money(nanoUSD: row["spent_nano"]), limit: Money(nanoUSD: row["limit_nano"]),
            delivered: (row["delivered"] as Int64) != 0, attempts: (row["attempts"] as Int64) + attemptsAdded,
            lastError: row["last_error"])
    }
}

extension Ledger {
    /// Claims the one warning that `budget` sees calls of an unpriced model in the period
    /// containing `now`: `true` to exactly one caller per budget, period, provider and model
    /// across every process sharing the ledger; everyone else gets `false` and stays quiet.
    public func claimUnpricedWarning(budget: BudgetDefinition, provider: String, model: String, now: Date = Date()) throws -> Bool {
        let nowMs = Self.milliseconds(now)
        let periodKey = budget.window(containing: now).alertKey
        return try immediateTransaction { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO unpriced_warnings (budget, period_start_ms, provider, model, warned_ms)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [budget.name, periodKey, provider, model, nowMs])
            return db.changesCount == 1
        }
    }
}
