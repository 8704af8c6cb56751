import Foundation
import LLMCostCore
import LLMCostStore
import LLMCostTestSupport
import Testing
@testable import LLMCostPostgres

/// One hard budget held across hosts: many ledgers (each its own connection pool, as separate
/// machines would have) reserving and settling against one PostgreSQL database at once.
@Suite struct CrossHostBudgetTests {
    /// A call waiting for room on one host wakes when another host settles or releases (the
    /// server's notice), not at its next re-check: host B's only source of wake-ups is the
    /// server, so its generation moving at all says the notice arrived. Without the notice
    /// the waits below run to their deadline and the test fails.
    @Test func aSettlementOrReleaseOnOneHostWakesAWaiterOnAnother() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let hostA = try PostgresLedger.open(database.location, password: database.password)
        let hostB = try PostgresLedger.open(database.location, password: database.password)
        let budget = BudgetDefinition(name: "team", period: .total, limit: Money(decimalUSD: "10")!, action: .block)
        // The first wait starts B's watch, which wakes it once as it begins listening.
        await hostB.waitForChange(after: hostB.changeGeneration, until: .now + .seconds(20))
        for settles in [true, false] {
            guard case .reserved(let reservation) = try hostA.reserve(
                Money(decimalUSD: "0.90")!, against: [budget], now: Date(), expiresAfter: .seconds(60))
            else {
                Issue.record("the reservation was refused")
                return
            }
            let before = hostB.changeGeneration
            async let woken: UInt64 = { await hostB.waitForChange(after: before, until: .now + .seconds(20)); return hostB.changeGeneration }()
            try await Task.sleep(for: .milliseconds(100))
            if settles {
                var record = CallRecord(timestamp: Date(), provider: "openai", model: "gpt-4o", requestID: "r-notice")
                record.cost = Money(decimalUSD: "0.50")
                try hostA.settle(reservation, recording: record)
            } else {
                try hostA.release(reservation)
            }
            #expect(await woken > before, settles ? "settlement" : "release")
        }
    }

    /// 16 hosts, each running calls of a worst case of $0.40 and a real cost of $0.30 against a
    /// $10 block budget, as fast as they can: spend never passes the limit (no overruns here:
    /// each call costs less than it reserved), every admitted call is recorded once, and the
    /// refusals begin only when the room is gone.
    @Test func sixteenHostsNeverOverspendOneBudget() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let budget = BudgetDefinition(name: "team", period: .total, limit: Money(decimalUSD: "10")!, action: .block)
        let worstCase = Money(decimalUSD: "0.40")!
        let cost = Money(decimalUSD: "0.30")!
        let now = Date()
        // Every slot: sixteen hosts and the server keep both cores busy.
        let admitted = try await HeavyWorkSlots.shared.run(slots: nil) { try await withThrowingTaskGroup(of: Int.self) { group in
            for host in 0..<16 {
                group.addTask {
                    try await onOwnThread { () throws -> Int in
                        var admitted = 0
                        let ledger = try PostgresLedger.open(database.location, password: database.password)
                        // Until spend alone leaves no room; a refusal due to others' holds is retried.
                        for attempt in 0..<2_000 {
                            let outcome = try ledger.reserve(worstCase, against: [budget], now: now)
                            guard case .reserved(let reservation) = outcome else {
                                if case .refused(let refusal) = outcome, !refusal.isBlockedOnlyByReservations { break }
                                usleep(1_000)
                                continue
                            }
                            var record = CallRecord(
                                timestamp: now, provider: "anthropic", model: "claude", requestID: "h\(host)-\(attempt)",
                                usage: Usage(inputTokens: 10, outputTokens: 5))
                            record.cost = cost
                            #expect(try ledger.settle(reservation, recording: record) == .inserted)
                            admitted += 1
                        }
                        return admitted
                    }
                }
            }
            return try await group.reduce(0, +)
        } }
        let ledger = try PostgresLedger.open(database.location, password: database.password)
        let usage = try ledger.usage(of: budget, now: now)
        #expect(usage.spent <= budget.limit, "spent \(usage.spent)")
        #expect(usage.reserved == .zero)
        #expect(usage.spent.nanoUSD == cost.nanoUSD * Int64(admitted))
        // Every host stopped only when spend alone left no room for a worst case: used, not starved.
        #expect(budget.limit - usage.spent < worstCase, "spent \(usage.spent) of \(budget.limit)")
        #expect(try ledger.overruns(of: budget, now: now).calls == 0)
    }
}
