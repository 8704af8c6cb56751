import Foundation
import GRDB
import LLMCostCore
import LLMCostTestSupport
import Testing
@testable import LLMCostStore

/// `rollup_sessions` stays equal to the raw rows through every kind of write (new calls,
/// replays, larger copies, reprices, a migration of an older ledger), and `report --by session`
/// read from it equals the raw report for any window, with or without a row limit.
@Suite struct SessionRollupTests {
    /// Prices every call at a flat rate per token (a reprice changes costs; "mystery" stays unpriced).
    struct FlatPricing: CallPricing {
        var nanoPerToken: Int64
        func quote(for record: CallRecord) -> PriceQuote? {
            record.model == "mystery-model" ? nil
                : PriceQuote(cost: Money(nanoUSD: record.usage.totalTokens * nanoPerToken), entryID: "flat/\(nanoPerToken)")
        }
    }

    /// Calls in sessions of a few minutes to a few hours (some over the window's edges), some
    /// without a session, many with a project tag, several in the same millisecond.
    static func records(count: Int, seed: UInt64) -> [CallRecord] {
        var random = RandomCalls(state: seed)
        var records: [CallRecord] = []
        for index in 0..<count {
            var record = random.record(index: index)
            let session = random.below(60)
            record.session = session < 5 ? nil : "sess-\(session)"
            // A session lives around its own time; a few run for days.
            let base = RandomCalls.start + Int64(session) * 86_400_000 / 2
            let spread: Int64 = session % 10 == 0 ? 5 * 86_400_000 : 3 * 3_600_000
            record.epochMilliseconds = base + Int64(random.below(Int(spread))) / 600_000 * 600_000  // whole 10 minutes: ties
            if random.below(3) > 0 { record.tags["project"] = "/src/p\(random.below(4))" }
            record.requestID = "q-\(index)"
            records.append(record)
        }
        return records
    }

    func write(_ records: [CallRecord], to ledger: Ledger) throws {
        // Many transactions: a session's row is merged in SQL as often as in memory.
        for chunk in stride(from: 0, to: records.count, by: 97) {
            try ledger.write { session in
                for record in records[chunk..<min(chunk + 97, records.count)] { try session.insert(record) }
            }
        }
        try ledger.write { session in
            // Replays change nothing; larger copies grow their call.
            for record in records.prefix(50) { try session.insert(record) }
            for var record in records.suffix(40) {
                record.usage.outputTokens += 7
                record.cost = record.cost.map { $0 + Money(nanoUSD: 3) }
                try session.insertKeepingLarger(record)
            }
        }
    }

    func expectReportsEqual(_ ledger: Ledger, since: Int64?, until: Int64?, limit: Int? = nil) throws {
        var query = ReportQuery(since: since, until: until, timeZone: .gmt, groupBy: [.session])
        query.limit = limit
        let fast = try ledger.report(query)
        var raw = query
        raw.forceRawRows = true
        let slow = try ledger.report(raw)
        #expect(fast.plan.hasPrefix("sessions"), "\(fast.plan)")
        #expect(fast.total == slow.total, "total, window \(String(describing: since))..<\(String(describing: until))")
        #expect(fast.rows == slow.rows, "rows, window \(String(describing: since))..<\(String(describing: until)) limit \(String(describing: limit))")
    }

    @Test func theTableEqualsTheRawRowsThroughEveryKindOfWrite() throws {
        let temporary = try TemporaryLedger()
        let records = Self.records(count: 3000, seed: 8)
        try write(records, to: temporary.ledger)
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
        _ = try temporary.ledger.reprice(pricing: FlatPricing(nanoPerToken: 3))
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
        try expectReportsEqual(temporary.ledger, since: nil, until: nil)
    }

    @Test func sessionReportsEqualTheRawReportForAnyWindow() throws {
        let temporary = try TemporaryLedger()
        try write(Self.records(count: 3000, seed: 9), to: temporary.ledger)
        var random = RandomCalls(state: 77)
        let start = RandomCalls.start
        try expectReportsEqual(temporary.ledger, since: nil, until: nil)
        try expectReportsEqual(temporary.ledger, since: nil, until: nil, limit: 5)
        for _ in 0..<25 {
            let since: Int64? = random.below(5) == 0 ? nil : start + Int64(random.below(35 * 86_400_000))
            let until: Int64? = random.below(5) == 0 ? nil : (since ?? start) + Int64(random.below(10 * 86_400_000)) + 1
            try expectReportsEqual(temporary.ledger, since: since, until: until)
            try expectReportsEqual(temporary.ledger, since: since, until: until, limit: 1 + random.below(8))
        }
        // Windows ending among the calls without a session (in the first days), which find their
        // latest project by walking back from the window's end.
        for hours in stride(from: 3, through: 120, by: 13) {
            try expectReportsEqual(temporary.ledger, since: start + 3_600_000, until: start + Int64(hours) * 3_600_000)
        }
        // A window with nothing in it, and one before every call.
        try expectReportsEqual(temporary.ledger, since: start - 10 * 86_400_000, until: start - 86_400_000)
    }

    @Test func aLedgerWrittenBeforeTheTableGetsItOnUpgrade() throws {
        let folder = try temporaryFolder("session-migration")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        do {
            let ledger = try Ledger(path: path)
            try write(Self.records(count: 1500, seed: 10), to: ledger)
        }
        // Back to the ledger as it was before v8: the table, its indexes and the record of the migration gone.
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: """
                    DROP TABLE rollup_sessions;
                    DROP INDEX calls_without_session;
                    DROP INDEX calls_with_estimates;
                    DELETE FROM grdb_migrations WHERE identifier = 'v8: exact sums per session, estimates by time';
                    """)
            }
        }
        let upgraded = try Ledger(path: path)
        #expect(try upgraded.rollupDiscrepancies().isEmpty)
        try expectReportsEqual(upgraded, since: nil, until: nil)
        try expectReportsEqual(upgraded, since: RandomCalls.start + 86_400_000, until: RandomCalls.start + 9 * 86_400_000)
    }

    /// Calls without a session, counted each of the three ways (their own rows in the window,
    /// all of them less those outside it, the window less every session): a ledger where they
    /// are few or many, windows that cover little or most of their span, calls on the edges.
    @Test(arguments: [(unnamed: 2000, named: 5), (unnamed: 30, named: 40)])
    func callsWithoutASessionAreCountedExactlyEachWay(unnamed: Int, named: Int) throws {
        let temporary = try TemporaryLedger()
        let day: Int64 = 86_400_000
        let start = RandomCalls.start
        var records: [CallRecord] = []
        var random = RandomCalls(state: UInt64(unnamed))
        for index in 0..<unnamed {
            var record = random.record(index: index)
            record.session = nil
            record.epochMilliseconds = start + Int64(index) * 10 * day / Int64(unnamed)
            record.requestID = "u-\(index)"
            records.append(record)
        }
        for session in 0..<named {
            for call in 0..<20 {
                var record = random.record(index: 10_000 + session * 20 + call)
                record.session = "n-\(session)"
                record.epochMilliseconds = start + 4 * day + Int64(session) * 2 * day / Int64(named) + Int64(call) * 60_000
                record.requestID = "n-\(session)-\(call)"
                records.append(record)
            }
        }
        try temporary.ledger.write { session in for record in records { try session.insert(record) } }
        let edges = [records[unnamed / 3].epochMilliseconds, records[unnamed / 2].epochMilliseconds + 1]
        for (since, until) in [
            (start + 3 * day, start + 7 * day), (start + day / 2, start + 9 * day), (start + 5 * day, start + 5 * day + 3_600_000),
            (edges[0], edges[1]), (edges[0] + 1, edges[1] - 1), (start - day, start + 20 * day),
        ] {
            try expectReportsEqual(temporary.ledger, since: since, until: until)
            try expectReportsEqual(temporary.ledger, since: since, until: until, limit: 3)
        }
    }
}
