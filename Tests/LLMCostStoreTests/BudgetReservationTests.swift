import Foundation
import GRDB
import LLMCostCore
@testable import LLMCostStore
import LLMCostTestSupport
import Testing

/// Reservations against hard budgets in the ledger itself, at explicit times (no sleeping):
/// renewal, expiry, and overruns recorded when a call costs more than it reserved.
@Suite struct BudgetReservationTests {
    let budget = BudgetDefinition(name: "cap", period: .total, limit: Money(decimalUSD: "10")!, action: .block)
    let start = Date(timeIntervalSince1970: 1_780_000_000)

    private func reserve(_ dollars: String, in ledger: Ledger, at date: Date, ttl: Duration = .seconds(60)) throws -> BudgetReservation? {
        if case .reserved(let reservation) = try ledger.reserve(Money(decimalUSD: dollars)!, against: [budget], now: date, expiresAfter: ttl) {
            return reservation
        }
        return nil
    }

    @Test func aRenewedReservationOutlivesItsFirstLifetime() throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        let held = try #require(try reserve("8", in: ledger, at: start))
        // Renewed at 40 s and 80 s of a 60 s lifetime: still held at 130 s, past the first expiry.
        #expect(try ledger.renew([held], now: start + 40, expiresAfter: .seconds(60)).isEmpty)
        #expect(try ledger.renew([held], now: start + 80, expiresAfter: .seconds(60)).isEmpty)
        #expect(try ledger.usage(of: budget, now: start + 130).reserved == Money(decimalUSD: "8"))
        #expect(try reserve("8", in: ledger, at: start + 130) == nil) // the hold still refuses a second $8
        // Not renewed again: gone after 80 + 60 s.
        #expect(try ledger.usage(of: budget, now: start + 141).reserved == .zero)
    }

    @Test func anExpiredReservationIsNotRevived() throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        let lapsed = try #require(try reserve("8", in: ledger, at: start))
        // 61 s later it no longer counts, and someone else took the room.
        let other = try #require(try reserve("8", in: ledger, at: start + 61))
        let missing = try ledger.renew([lapsed, other], now: start + 62, expiresAfter: .seconds(60))
        #expect(missing == [lapsed])
        #expect(try ledger.usage(of: budget, now: start + 62).reserved == Money(decimalUSD: "8"))
    }

    /// A call whose reservation expired while it ran (its process slept past the lifetime)
    /// held nothing when another call took the room: its whole cost is an overrun, so the
    /// guarantee `spent + reserved <= limit + overruns` still holds.
    @Test func aCallSettlingAnExpiredReservationIsAnOverrun() throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        let lapsed = try #require(try reserve("8", in: ledger, at: start))
        let other = try #require(try reserve("8", in: ledger, at: start + 61))
        for (index, reservation) in [lapsed, other].enumerated() {
            var record = CallRecord(timestamp: start + 62, provider: "p", model: "m", requestID: "late-\(index)", usage: Usage(inputTokens: 1))
            record.cost = Money(decimalUSD: "7")
            try ledger.settle(reservation, recording: record)
        }
        let usage = try ledger.usage(of: budget, now: start + 63)
        let overruns = try ledger.overruns(of: budget, now: start + 63)
        #expect(usage.spent == Money(decimalUSD: "14"))
        #expect(overruns == BudgetOverruns(calls: 1, amount: Money(decimalUSD: "7")!))
        #expect(usage.spent + usage.reserved <= budget.limit + overruns.amount)
    }

    @Test func aCallCostingMoreThanItsReservationIsRecordedAsAnOverrun() throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        let first = try #require(try reserve("3", in: ledger, at: start))
        var record = CallRecord(timestamp: start, provider: "p", model: "m", requestID: "over-1", usage: Usage(inputTokens: 1))
        record.cost = Money(decimalUSD: "9.5")
        try ledger.settle(first, recording: record)
        // A call within its reservation is not an overrun.
        let second = try #require(try reserve("0.5", in: ledger, at: start + 1))
        var fitting = CallRecord(timestamp: start + 1, provider: "p", model: "m", requestID: "fits", usage: Usage(inputTokens: 1))
        fitting.cost = Money(decimalUSD: "0.25")
        try ledger.settle(second, recording: fitting)
        // Settling the same call again (a duplicate) changes nothing.
        try ledger.settle(first, recording: record)

        let overruns = try ledger.overruns(of: budget, now: start + 2)
        #expect(overruns == BudgetOverruns(calls: 1, amount: Money(decimalUSD: "6.5")!))
        // The guarantee: spend passes the limit by no more than the recorded overruns.
        let usage = try ledger.usage(of: budget, now: start + 2)
        #expect(usage.spent == Money(decimalUSD: "9.75"))
        #expect(usage.spent + usage.reserved <= budget.limit + overruns.amount)
        // No room is left for another $0.50.
        #expect(try reserve("0.5", in: ledger, at: start + 3) == nil)
    }

    @Test func overrunsCountInTheirCallsPeriodOnly() throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        let daily = BudgetDefinition(name: "daily", period: .day, limit: Money(decimalUSD: "10")!, action: .block)
        let dayOne = Date(timeIntervalSince1970: 1_780_012_800) // a UTC midnight
        guard case .reserved(let reservation) = try ledger.reserve(Money(decimalUSD: "1")!, against: [daily], now: dayOne) else {
            Issue.record("the reservation should fit")
            return
        }
        var record = CallRecord(timestamp: dayOne, provider: "p", model: "m", requestID: "d1", usage: Usage(inputTokens: 1))
        record.cost = Money(decimalUSD: "2")
        try ledger.settle(reservation, recording: record)
        #expect(try ledger.overruns(of: daily, now: dayOne + 3600).calls == 1)
        #expect(try ledger.overruns(of: daily, now: dayOne + 86_400) == BudgetOverruns())
    }
}

/// Upgrading a ledger written before the v4 migration keeps the reservations of calls in
/// flight: a process mid-call while another upgrades the file must not lose its hold.
@Suite struct BudgetHardeningMigrationTests {
    @Test func reservationsInFlightSurviveTheUpgrade() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let old = try DatabaseQueue(path: path)
            try LedgerSchema.migrator.migrate(old, upTo: "v2: budget reservations and alert state")
            try old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO budget_reservations (reservation, budget, amount_nano, created_ms, expires_ms)
                        VALUES ('r1', 'cap', 2000000000, ?, ?), ('r1', 'other', 2000000000, ?, ?)
                        """,
                    arguments: [nowMs, nowMs + 600_000, nowMs, nowMs + 600_000])
            }
        }
        let ledger = try Ledger(path: path)
        let cap = BudgetDefinition(name: "cap", period: .total, limit: Money(decimalUSD: "10")!, action: .block)
        #expect(try ledger.usage(of: cap).reserved == Money(decimalUSD: "2"))
        // And it settles as before: the call's rows go with its settlement.
        let reservation = BudgetReservation(id: "r1", amount: Money(decimalUSD: "2")!, budgets: ["cap", "other"])
        try ledger.settle(reservation, recording: CallRecord(timestamp: Date(), provider: "p", model: "m", requestID: "r1"))
        #expect(try ledger.usage(of: cap).reserved == .zero)
    }
}
