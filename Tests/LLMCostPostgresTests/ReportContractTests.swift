import Foundation
import LLMCostCore
import LLMCostTestSupport
import Testing
@testable import LLMCostStore

/// Reports, billing blocks, reprice and the rollup check on PostgreSQL give exactly what they
/// give on SQLite (itself held to an independent sum in `RollupTests`), on the same seeded
/// calls: every grouping, windows on and off hour edges, zones whose offsets are not whole
/// hours, name and tag filters, `--top`, and the raw-row path. Each comparison is of whole
/// reports: rows in order, totals, the plan each backend took.
@Suite struct ReportContractTests {
    /// The same calls on both backends: 2,500 seeded ones over eight weeks (some tagged with a
    /// project, so sessions carry one) and a few before 1970 (negative times bucket by floor).
    final class Pair {
        let sqlite: BackendLedger
        let postgres: BackendLedger
        let records: [CallRecord]

        init(pricing: (any CallPricing)? = nil) throws {
            sqlite = try BackendLedger(.sqlite)
            postgres = try BackendLedger(.postgres)
            var random = RandomCalls(state: 2026)
            var records = (0..<2500).map { index in
                var record = random.record(index: index)
                if index % 3 == 0 { record.tags["project"] = "p\(index % 4)" }
                return record
            }
            for index in 0..<12 {
                var record = random.record(index: 10_000 + index)
                record.epochMilliseconds = -Int64(1 + random.below(40)) * 3_000_000 - Int64(random.below(1000))
                records.append(record)
            }
            if pricing != nil { for index in records.indices where index % 2 == 0 { records[index].cost = nil } }
            // Most in bulk; the last 400 (the calls before 1970 among them) one by one, which on
            // a server is one statement for the call and its rollups.
            let oneByOne = records.count - 400
            for ledger in [sqlite.ledger, postgres.ledger] {
                for chunk in stride(from: 0, to: oneByOne, by: 700) {
                    try ledger.write(pricing: pricing) { session in
                        try session.insert(contentsOf: records[chunk..<min(chunk + 700, oneByOne)])
                    }
                }
                for record in records[oneByOne...] { _ = try ledger.record(record, pricing: pricing) }
                #expect(try ledger.record(records[oneByOne], pricing: pricing) == .duplicate)
                #expect(try ledger.record(records[0], pricing: pricing) == .duplicate)
            }
            self.records = records
        }
    }

    func expectSame(_ sqlite: Report, _ postgres: Report, _ label: String) {
        #expect(postgres.rows == sqlite.rows, "rows: \(label)")
        #expect(postgres.total == sqlite.total, "total: \(label)")
        #expect(postgres.plan == sqlite.plan, "plan: \(label)")
        #expect(postgres.mapPricedCalls == sqlite.mapPricedCalls, "map-priced calls: \(label)")
    }

    @Test(arguments: ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
    func reportsEqualSQLitesInEveryGroupingWindowAndZone(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let pair = try Pair()
        var random = RandomCalls(state: 99)
        let groupings: [[ReportDimension]] = [
            [], [.provider], [.model], [.agent], [.session], [.tag("team")], [.tag("project"), .model], [.pricingProvider],
            [.hour], [.day], [.week], [.month], [.provider, .day], [.session, .day], [.agent, .tag("feature"), .hour],
        ]
        var compared = 0
        for groupBy in groupings {
            for variant in 0..<4 {
                // Open, whole days, whole hours, and mid-hour edges.
                var since: Int64? = RandomCalls.start + Int64(random.below(20)) * 86_400_000
                var until: Int64? = since.map { $0 + Int64(1 + random.below(30)) * 86_400_000 }
                switch variant {
                case 0: (since, until) = (nil, nil)
                case 1: break
                case 2: since = since.map { $0 + Int64(random.below(24)) * 3_600_000 }
                default:
                    since = since.map { $0 + Int64(random.below(86_400_000)) }
                    until = until.map { $0 + Int64(random.below(86_400_000)) }
                }
                var query = ReportQuery(since: since, until: until, timeZone: zone, groupBy: groupBy)
                switch random.below(6) {
                case 0: query.models = ["gpt-4o", "mystery-model"]
                case 1: query.providers = ["openai"]
                case 2: query.agents = ["coder", "critic"]
                case 3: query.tags = [TagFilter(key: "team", value: "a"), TagFilter(key: "team", value: "c")]
                default: break
                }
                if !groupBy.contains(where: \.isTime), random.below(3) == 0 { query.limit = 1 + random.below(6) }
                let label = "\(groupBy) \(String(describing: since))..<\(String(describing: until)) in \(zoneName)"
                    + " models \(query.models) providers \(query.providers) agents \(query.agents) tags \(query.tags.count) top \(String(describing: query.limit))"
                expectSame(try pair.sqlite.ledger.report(query), try pair.postgres.ledger.report(query), label)
                var raw = query
                raw.forceRawRows = true
                expectSame(try pair.sqlite.ledger.report(raw), try pair.postgres.ledger.report(raw), "raw rows, " + label)
                compared += 2
            }
        }
        #expect(compared == groupings.count * 8)
        // Not vacuous: the reports have rows, sessions carry their project.
        let sessions = try pair.postgres.ledger.report(ReportQuery(timeZone: zone, groupBy: [.session]))
        #expect(sessions.rows.count > 20)
        #expect(sessions.rows.contains { $0.project != nil })
        #expect(sessions.total.calls == Int64(pair.records.count))
    }

    @Test func billingBlocksAndTimeSpanEqualSQLites() throws {
        let pair = try Pair()
        var random = RandomCalls(state: 7)
        for round in 0..<12 {
            let since = RandomCalls.start + Int64(random.below(50 * 86_400_000))
            var query = ReportQuery(
                since: round == 0 ? nil : since, until: round % 3 == 0 ? nil : since + Int64(random.below(5 * 86_400_000)),
                timeZone: .gmt, groupBy: [.block], now: since + Int64(random.below(3 * 86_400_000)))
            if round % 4 == 1 { query.providers = ["anthropic"] }
            if round % 4 == 2 { query.tags = [TagFilter(key: "feature", value: "f2")] }
            let sqlite = try pair.sqlite.ledger.blockReport(query)
            let postgres = try pair.postgres.ledger.blockReport(query)
            #expect(postgres.blocks == sqlite.blocks, "blocks, round \(round)")
            #expect(postgres.total == sqlite.total)
            #expect(postgres.mapPricedCalls == sqlite.mapPricedCalls)
            if round == 0 { #expect(sqlite.blocks.count > 50) }
            let now = query.now ?? 0
            #expect(try pair.postgres.ledger.activeBillingBlock(now: now) == pair.sqlite.ledger.activeBillingBlock(now: now))
            let span = try pair.postgres.ledger.callTimeSpan(since: query.since, until: query.until)
            let expected = try pair.sqlite.ledger.callTimeSpan(since: query.since, until: query.until)
            #expect(span?.first == expected?.first && span?.last == expected?.last)
        }
        // The walk back through a long run of calls crosses pages of times.
        #expect(pair.records.count > BillingBlockReader.timesPerPage / 2)
    }

    /// Prices "gpt-4o" and "o3" at a rate set by `factor`; with `openRouterIsOpenAI`, prices
    /// OpenRouter's calls as OpenAI's (a provider configured under its own name).
    struct Table: CallPricing {
        var factor: Int64
        var openRouterIsOpenAI = true
        func quote(for record: CallRecord) -> PriceQuote? {
            guard record.model == "gpt-4o" || record.model == "o3" else { return nil }
            return PriceQuote(cost: Money(nanoUSD: record.usage.inputTokens * factor + record.usage.outputTokens), entryID: "t@\(factor)")
        }
        func pricingProvider(for provider: String) -> String? { openRouterIsOpenAI && provider == "openrouter" ? "openai" : nil }
    }

    @Test func repriceAndTheRollupCheckEqualSQLites() throws {
        let pair = try Pair(pricing: Table(factor: 2, openRouterIsOpenAI: false))
        let sqlite = pair.sqlite.ledger
        let postgres = pair.postgres.ledger
        #expect(try postgres.rollupDiscrepancies().isEmpty)

        let dry = try postgres.reprice(pricing: Table(factor: 5), dryRun: true)
        #expect(dry.changed > 0)
        let unchanged = try postgres.report(ReportQuery(timeZone: .gmt, groupBy: [.model]))
        expectSame(try sqlite.report(ReportQuery(timeZone: .gmt, groupBy: [.model])), unchanged, "after a dry run")

        let expected = try sqlite.reprice(pricing: Table(factor: 5))
        let summary = try postgres.reprice(pricing: Table(factor: 5))
        for (name, value) in [
            ("examined", \RepriceSummary.examined), ("changed", \.changed), ("newly priced", \.newlyPriced),
            ("now unpriced", \.nowUnpriced), ("pricing provider", \.pricingProviderAssigned),
        ] {
            #expect(summary[keyPath: value] == expected[keyPath: value], "\(name)")
        }
        #expect(summary.changed == dry.changed)
        #expect(summary.costAfter == expected.costAfter)
        #expect(summary.pricingProviderAssigned > 0)
        for groupBy: [ReportDimension] in [[.model], [.pricingProvider, .day], [.session]] {
            let query = ReportQuery(timeZone: .gmt, groupBy: groupBy)
            expectSame(try sqlite.report(query), try postgres.report(query), "after reprice, \(groupBy)")
        }
        #expect(try postgres.rollupDiscrepancies().isEmpty)
        #expect(try postgres.reprice(pricing: Table(factor: 5)).changed == 0)

        // The check can fail: a rollup row off by one call, and a session's cost off, are named.
        try postgres.transaction(.write) { sql in
            try sql.execute("UPDATE rollup_hourly SET calls = calls + 1 WHERE hour = (SELECT MIN(hour) FROM rollup_hourly)", [])
            try sql.execute("UPDATE rollup_sessions SET cost_nano = cost_nano + 1 WHERE session_id = (SELECT MAX(session_id) FROM rollup_sessions)", [])
        }
        let problems = try postgres.rollupDiscrepancies()
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("rollup_hourly hour -") })
        #expect(problems.contains { $0.hasPrefix("rollup_sessions session ") })
    }
}
