import Foundation
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
        return try transaction(.write) { sql in
            try sql.execute("""
                INSERT INTO alert_state
                    (budget, period_start_ms, threshold_bp, fired_ms, spent_nano, limit_nano, attempts, attempted_ms)
                VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT DO NOTHING
                """, [
                    .text(budget), .integer(periodKey), .integer(thresholdBasisPoints), .integer(nowMs), .integer(spent.nanoUSD),
                    .integer(limit.nanoUSD), .integer(nowMs),
                ]) == 1
        }
    }

    /// Notes how a delivery attempt went: delivered, or the error to retry after.
    public func noteAlertDelivery(_ alert: AlertRecord, error: String?) throws {
        _ = try transaction(.write) { sql in
            try sql.execute("""
                UPDATE alert_state SET delivered = ?, last_error = ?
                WHERE budget = ? AND period_start_ms = ? AND threshold_bp = ?
                """, [
                    .integer(error == nil ? 1 : 0), .optional(error), .text(alert.budget), .integer(alert.periodKey),
                    .integer(alert.thresholdBasisPoints),
                ])
        }
    }

    /// Claims undelivered alerts whose last attempt began before `retryAfter` ago and that have
    /// had fewer than `maxAttempts`: each returned alert is this caller's to retry. The claim
    /// is one `UPDATE ... RETURNING`: two processes (or hosts) never retry the same one, since
    /// the second finds the attempt time already moved.
    public func claimAlertRetries(maxAttempts: Int64, retryAfter: Duration, now: Date = Date()) throws -> [AlertRecord] {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let cutoff = nowMs - retryAfter.milliseconds
        let condition = "delivered = 0 AND attempts < ? AND attempted_ms <= ?"
        // Almost always there is nothing to retry: find that out with a read, without taking
        // the write lock every call's check would otherwise contend for.
        let due = try transaction(.read) { sql in
            try sql.firstRow("SELECT 1 FROM alert_state WHERE \(condition) LIMIT 1", [.integer(maxAttempts), .integer(cutoff)]) != nil
        }
        guard due else { return [] }
        return try transaction(.write) { sql in
            try sql.rows(
                "UPDATE alert_state SET attempts = attempts + 1, attempted_ms = ? WHERE \(condition) RETURNING \(Self.alertColumns)",
                [.integer(nowMs), .integer(maxAttempts), .integer(cutoff)]
            ).map(Self.alertRecord).sorted { ($0.firedAt, $0.budget) < ($1.firedAt, $1.budget) }
        }
    }

    /// Every alert that fired, newest first.
    public func alerts() throws -> [AlertRecord] {
        try transaction(.read) { sql in
            try sql.rows("SELECT \(Self.alertColumns) FROM alert_state ORDER BY fired_ms DESC").map(Self.alertRecord)
        }
    }

    private static let alertColumns =
        "budget, period_start_ms, threshold_bp, fired_ms, spent_nano, limit_nano, delivered, attempts, last_error"

    private static func alertRecord(_ row: SQLRow) -> AlertRecord {
        AlertRecord(
            budget: row.text(0) ?? "", periodKey: row.integer(1) ?? 0, thresholdBasisPoints: row.integer(2) ?? 0,
            firedAt: row.integer(3) ?? 0, spent: Money(nanoUSD: row.integer(4) ?? 0), limit: Money(nanoUSD: row.integer(5) ?? 0),
            delivered: (row.integer(6) ?? 0) != 0, attempts: row.integer(7) ?? 0, lastError: row.text(8))
    }
}

extension Ledger {
    /// Claims the one warning that `budget` sees calls of an unpriced model in the period
    /// containing `now`: `true` to exactly one caller per budget, period, provider and model
    /// across every process sharing the ledger; everyone else gets `false` and stays quiet.
    public func claimUnpricedWarning(budget: BudgetDefinition, provider: String, model: String, now: Date = Date()) throws -> Bool {
        let nowMs = Self.milliseconds(now)
        let periodKey = budget.window(containing: now).alertKey
        return try transaction(.write) { sql in
            try sql.execute("""
                INSERT INTO unpriced_warnings (budget, period_start_ms, provider, model, warned_ms)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, [.text(budget.name), .integer(periodKey), .text(provider), .text(model), .integer(nowMs)]) == 1
        }
    }
}
