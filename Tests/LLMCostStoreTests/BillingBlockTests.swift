import Foundation
import LLMCostCore
@testable import LLMCostPresentation
@testable import LLMCostStore
import LLMCostTestSupport
import Testing

private let minute: Int64 = 60_000
private let hour: Int64 = 3_600_000
/// 2026-11-20T00:00:00Z.
private let day: Int64 = 1_795_132_800_000

/// One call at `ms` with `tokens` uncached input (and a tenth of it as output, three times it
/// as cache reads) and `cost` nano-dollars (`nil`: unpriced).
private func call(
    _ ms: Int64, cost: Int64? = 1_000_000, tokens: Int64 = 100, provider: String = "anthropic",
    session: String? = nil, tags: [String: String] = [:]
) -> CallRecord {
    var record = CallRecord(
        timestamp: Date(), provider: provider, model: "claude-sonnet-4-5", agent: "claude-code", session: session, tags: tags,
        requestID: "r\(ms)-\(provider)-\(tags.sorted { $0.key < $1.key })",
        usage: Usage(inputTokens: tokens, outputTokens: tokens / 10, cacheReadTokens: tokens * 3),
        cost: cost.map { Money(nanoUSD: $0) })
    record.epochMilliseconds = ms
    return record
}

private func write(_ records: [CallRecord], to ledger: Ledger) throws {
    try ledger.write { session in
        for record in records { _ = try session.insert(record) }
    }
}

/// The block rule as the issue states it, applied to all calls at once (no look-back, no
/// window, no SQL): the reference the ledger's blocks must equal.
private struct ReferenceBlock: Equatable {
    var start: Int64
    var firstCall: Int64
    var lastCall: Int64
    var calls: Int64 = 0
    var cost: Int64 = 0
    var unpriced: Int64 = 0
    var inputTokens: Int64 = 0
    var totalTokens: Int64 = 0
    var end: Int64 { start + 5 * hour }

    static func blocks(of records: [CallRecord]) -> [ReferenceBlock] {
        var blocks: [ReferenceBlock] = []
        for record in records.sorted(by: { $0.epochMilliseconds < $1.epochMilliseconds }) {
            let time = record.epochMilliseconds
            if let last = blocks.last, time < last.end, time - last.lastCall < 5 * hour {
                blocks[blocks.count - 1].lastCall = time
            } else {
                let remainder = ((time % hour) + hour) % hour
                blocks.append(ReferenceBlock(start: time - remainder, firstCall: time, lastCall: time))
            }
            blocks[blocks.count - 1].calls += 1
            if let cost = record.cost { blocks[blocks.count - 1].cost += cost.nanoUSD } else { blocks[blocks.count - 1].unpriced += 1 }
            blocks[blocks.count - 1].inputTokens += record.usage.inputTokens
            blocks[blocks.count - 1].totalTokens += record.usage.inputTokens + record.usage.outputTokens
                + record.usage.cacheReadTokens + record.usage.cacheWrite5mTokens + record.usage.cacheWrite1hTokens
        }
        return blocks
    }

    init(start: Int64, firstCall: Int64, lastCall: Int64) {
        self.start = start
        self.firstCall = firstCall
        self.lastCall = lastCall
    }

    init(_ block: BillingBlock) {
        start = block.start
        firstCall = block.firstCall
        lastCall = block.lastCall
        calls = block.totals.calls
        cost = block.totals.cost.nanoUSD
        unpriced = block.totals.unpricedCalls
        inputTokens = block.totals.usage.inputTokens
        totalTokens = block.totals.usage.totalTokens
    }
}

/// Seeded calls in bursts: mostly minutes apart, sometimes hours, now and then a night off, so
/// blocks chain through long runs and break at gaps.
private func burstyCalls(count: Int, seed: UInt64) -> [CallRecord] {
    var random = SplitMix64(seed: seed)
    func below(_ bound: Int64) -> Int64 { Int64(random.next() % UInt64(bound)) }
    var time = day - 3 * 86_400_000 + 17 * minute
    return (0..<count).map { index in
        switch below(20) {
        case 0: time += 5 * hour + below(15 * hour)  // a night off: a gap of 5 h or more
        case 1, 2, 3: time += hour + below(4 * hour)  // a pause within reach of the block
        default: time += minute + below(40 * minute)
        }
        if below(15) == 0 { time += hour - time % hour }  // exactly on an hour: maybe a block's end
        let tags = below(2) == 0 ? ["team": "a"] : ["team": "b", "project": "/p\(below(3))"]
        var record = call(
            time, cost: below(10) == 0 ? nil : 1 + below(90_000_000), tokens: 1 + below(50_000),
            provider: below(3) == 0 ? "openai" : "anthropic", tags: tags)
        record.requestID = "burst-\(index)"
        return record
    }
}

@Suite struct BillingBlockTests {
    @Test func boundariesFloorToTheHourAndRunFiveHours() throws {
        let temporary = try TemporaryLedger()
        let times: [Int64] = [
            day + 9 * hour + 42 * minute,  // starts [09:00, 14:00)
            day + 14 * hour - 1,  // the last millisecond of it
            day + 14 * hour,  // exactly at its end: starts [14:00, 19:00)
            day + 15 * hour + 30 * minute, day + 17 * hour, day + 18 * hour + 59 * minute,
            // Continuous activity past 19:00: the next block starts at the end of the last
            // one, 19:00, not at the hour after this call's.
            day + 19 * hour + 10 * minute,
            day + 23 * hour + 30 * minute,  // 4h20 later, before the end at 24:00: same block
            day + 28 * hour + 40 * minute,  // 5h10 after the last call: [04:00, 09:00) next day
            day + 33 * hour + 40 * minute,  // exactly 5 h after the last call: [09:00, 14:00)
        ]
        try write(times.map { call($0) }, to: temporary.ledger)
        let blocks = try temporary.ledger.billingBlocks(ReportQuery(now: day + 100 * hour))
        #expect(blocks.map(\.start) == [9, 14, 19, 28, 33].map { day + $0 * hour })
        #expect(blocks.map(\.end) == [14, 19, 24, 33, 38].map { day + $0 * hour })
        #expect(blocks.map(\.firstCall) == [times[0], times[2], times[6], times[8], times[9]])
        #expect(blocks.map(\.lastCall) == [times[1], times[5], times[7], times[8], times[9]])
        #expect(blocks.map(\.totals.calls) == [2, 4, 2, 1, 1])
        #expect(blocks.allSatisfy { !$0.isActive && $0.burnRate == nil })
        #expect(blocks.map(ReferenceBlock.init) == ReferenceBlock.blocks(of: times.map { call($0) }))
    }

    @Test(arguments: [false, true])
    func theWindowSelectsBlocksButNeverMovesTheirBoundaries(rawRows: Bool) throws {
        let temporary = try TemporaryLedger()
        let records = burstyCalls(count: 700, seed: 7)
        try write(records, to: temporary.ledger)
        let reference = ReferenceBlock.blocks(of: records)
        #expect(reference.count > 20)
        #expect(reference.contains { $0.lastCall - $0.firstCall > 4 * hour })  // chains were exercised
        let first = records.map(\.epochMilliseconds).min()!
        let last = records.map(\.epochMilliseconds).max()!
        var random = SplitMix64(seed: 99)
        var windows: [(Int64?, Int64?)] = [(nil, nil), (first, nil), (nil, last), (last + 1, nil), (nil, first)]
        for _ in 0..<40 {
            let a = first - hour + Int64(random.next() % UInt64(last - first + 2 * hour))
            let b = a + 1 + Int64(random.next() % UInt64(30 * hour))
            windows.append((a, b))
            windows.append((a, nil))
        }
        // Windows starting inside blocks, and at their exact edges.
        for block in reference.prefix(15) {
            windows.append((block.start + 30 * minute, block.end + hour))
            windows.append((block.end, nil))
            windows.append((block.firstCall, block.firstCall + 1))
        }
        for (since, until) in windows {
            var query = ReportQuery(since: since, until: until, groupBy: [.block], now: last + 6 * hour)
            query.forceRawRows = rawRows
            let expected = reference.filter { block in
                (since.map { block.end > $0 } ?? true) && (until.map { block.start < $0 } ?? true)
            }
            let blocks = try temporary.ledger.billingBlocks(query)
            #expect(blocks.map(ReferenceBlock.init) == expected, "window \(String(describing: since)) ..< \(String(describing: until))")
            let report = try temporary.ledger.blockReport(query)
            #expect(report.blocks == blocks)
            #expect(report.total.cost.nanoUSD == expected.map(\.cost).reduce(0, +))
            #expect(report.total.calls == expected.map(\.calls).reduce(0, +))
        }
    }

    @Test func filtersApplyBeforeBlocksAreFormed() throws {
        let temporary = try TemporaryLedger()
        let records = burstyCalls(count: 500, seed: 11)
        try write(records, to: temporary.ledger)
        let now = day + 400 * hour
        let byProvider = try temporary.ledger.billingBlocks(ReportQuery(providers: ["openai"], now: now))
        #expect(byProvider.map(ReferenceBlock.init) == ReferenceBlock.blocks(of: records.filter { $0.provider == "openai" }))
        let byTag = try temporary.ledger.billingBlocks(ReportQuery(tags: [TagFilter(key: "team", value: "b")], now: now))
        let teamB = records.filter { $0.tags["team"] == "b" }
        #expect(byTag.map(ReferenceBlock.init) == ReferenceBlock.blocks(of: teamB))
        // Filters do change the blocks: fewer calls, other chains.
        #expect(byTag.map(\.start) != ReferenceBlock.blocks(of: records).map(\.start))
        let since = teamB[teamB.count / 2].epochMilliseconds
        let windowed = try temporary.ledger.billingBlocks(ReportQuery(since: since, tags: [TagFilter(key: "team", value: "b")], now: now))
        #expect(windowed.map(ReferenceBlock.init) == ReferenceBlock.blocks(of: teamB).filter { $0.end > since })
    }

    @Test func theActiveBlockHasABurnRateAndAProjectionExactToTheNanoDollar() throws {
        let temporary = try TemporaryLedger()
        // A quiet day before, then a block [10:00, 15:00) with three calls.
        let calls = [
            call(day - 20 * hour, cost: 5),
            call(day + 10 * hour + 15 * minute, cost: 1_234_567_001, tokens: 12_345),
            call(day + 11 * hour, cost: nil, tokens: 777),  // unpriced: tokens, no cost
            call(day + 12 * hour + 20 * minute, cost: 890, tokens: 1),
        ]
        try write(calls, to: temporary.ledger)
        let now = day + 12 * hour + 45 * minute
        let blocks = try temporary.ledger.billingBlocks(ReportQuery(now: now))
        let active = try #require(blocks.last)
        #expect(blocks.filter(\.isActive) == [active])
        #expect(active.start == day + 10 * hour && active.end == day + 15 * hour)
        #expect(active.totals.calls == 3 && active.totals.unpricedCalls == 1)

        // Independently, in decimal: the block's totals over the 2 h 30 min since its first
        // call, continued over the 2 h 15 min left.
        let cost = Decimal(1_234_567_001 + 890)
        let tokens = Decimal((12_345 + 1_234 + 37_035) + (777 + 77 + 2_331) + (1 + 0 + 3))
        func rounded(_ value: Decimal) -> Int64 {
            var input = value
            var result = Decimal()
            NSDecimalRound(&result, &input, 0, .plain)
            return NSDecimalNumber(decimal: result).int64Value
        }
        let elapsedMinutes = Decimal(150)
        let rate = try #require(active.burnRate)
        #expect(rate.costPerHour.nanoUSD == rounded(cost * 60 / elapsedMinutes))
        #expect(rate.costPerHour.nanoUSD == 493_827_156)  // 1,234,567,891 × 0.4, rounded down from .4
        #expect(rate.tokensPerMinute == rounded(tokens / elapsedMinutes))
        #expect(rate.projectedCost.nanoUSD == 1_234_567_891 + rounded(cost * 135 / elapsedMinutes))
        #expect(rate.projectedCost.nanoUSD == 2_345_678_993)  // + 1,111,111,101.9 rounded up
        #expect(rate.projectedTokens == rounded(tokens + tokens * 135 / elapsedMinutes))

        // The live status line's query gives the same block.
        #expect(try temporary.ledger.activeBillingBlock(now: now) == active)
        // Until its end, even with no call for a while; then nothing is active.
        let nearEnd = try #require(try temporary.ledger.activeBillingBlock(now: day + 15 * hour - 1))
        #expect(nearEnd.start == active.start && nearEnd.totals == active.totals)
        #expect(try temporary.ledger.activeBillingBlock(now: day + 15 * hour) == nil)
        #expect(try temporary.ledger.billingBlocks(ReportQuery(now: day + 15 * hour)).allSatisfy { !$0.isActive })
        // Before the block's first call there is none yet; the quiet day's block is long over.
        #expect(try temporary.ledger.activeBillingBlock(now: day + 10 * hour + 15 * minute - 1) == nil)
    }

    @Test func aRateRightAfterTheFirstCallIsOverAtLeastOneMinute() throws {
        let temporary = try TemporaryLedger()
        try write([call(day + 10 * hour, cost: 600_000_000, tokens: 1000)], to: temporary.ledger)
        let block = try #require(try temporary.ledger.activeBillingBlock(now: day + 10 * hour + 10_000))
        let rate = try #require(block.burnRate)
        #expect(rate.costPerHour == Money(nanoUSD: 36_000_000_000))  // $0.60 a minute
        #expect(rate.tokensPerMinute == 1000 + 100 + 3000)
        // 4 h 59 min 50 s left at $0.60 a minute: $179.90 more.
        #expect(rate.projectedCost == Money(nanoUSD: 600_000_000 + 179_900_000_000))
    }

    @Test func theActiveBlockFollowsTheChainBackToAGapOfFiveHours() throws {
        // A call every 40 minutes for 30 hours (blocks chain end to end), after a call 5 h 30
        // before the run, which must not shift its blocks, or 4 h 30 before it, which must.
        for lead in [5 * hour, 4 * hour] {
            let ledger = try TemporaryLedger()
            let runStart = day + 3 * hour + 50 * minute
            let run = (0..<45).map { call(runStart + Int64($0) * 40 * minute) }
            let records = [call(runStart - lead - 30 * minute)] + run
            try write(records, to: ledger.ledger)
            let reference = ReferenceBlock.blocks(of: records)
            for now: Int64 in stride(from: runStart, to: runStart + 32 * hour, by: Int64.Stride(17 * minute)) {
                let active = try ledger.ledger.activeBillingBlock(now: now)
                let all = try ledger.ledger.billingBlocks(ReportQuery(now: now))
                let containing = reference.first { $0.start <= now && now < $0.end && $0.firstCall <= now }
                #expect(active.map(\.start) == containing?.start, "now \(now)")
                if let active {
                    // Later calls (now is in the past here) are in later blocks, not active.
                    #expect(all.filter(\.isActive) == [active])
                    if now >= run[run.count - 1].epochMilliseconds { #expect(all.last == active) }
                } else {
                    #expect(all.allSatisfy { !$0.isActive })
                }
            }
        }
    }

    @Test func filtersApplyToTheActiveBlock() throws {
        let temporary = try TemporaryLedger()
        try write([
            call(day + 9 * hour + 5 * minute, provider: "openai"),
            call(day + 13 * hour, provider: "anthropic"),
            call(day + 14 * hour + 10 * minute, provider: "openai"),
        ], to: temporary.ledger)
        let now = day + 14 * hour + 30 * minute
        // All calls: [09:00, 14:00) then [14:00, 19:00). Anthropic alone: [13:00, 18:00).
        #expect(try temporary.ledger.activeBillingBlock(now: now)?.start == day + 14 * hour)
        let anthropic = try temporary.ledger.activeBillingBlock(now: now, filters: ReportQuery(providers: ["anthropic"]))
        #expect(anthropic?.start == day + 13 * hour)
        #expect(anthropic?.totals.calls == 1)
        #expect(try temporary.ledger.activeBillingBlock(now: now, filters: ReportQuery(providers: ["nobody"])) == nil)
    }

    @Test func blockCombinesWithNoOtherGrouping() throws {
        let temporary = try TemporaryLedger()
        #expect(throws: ReportQueryError.self) { try ReportQuery(groupBy: [.block, .model]).validate() }
        do {
            try ReportQuery(groupBy: [.day, .block]).validate()
            Issue.record("expected an error")
        } catch {
            #expect(error.isBlockCombined)
            #expect(error.description.contains("block cannot be combined with other groupings (day)"))
        }
        try ReportQuery(groupBy: [.block]).validate()
        #expect(throws: ReportQueryError.self) { try temporary.ledger.report(ReportQuery(groupBy: [.block])) }
        #expect(throws: ReportQueryError.self) { try temporary.ledger.blockReport(ReportQuery(groupBy: [.block, .agent])) }
        #expect(ReportDimension("block") == .block)
        #expect(ReportDimension.accepted.contains("block"))
    }

    @Test func blockTablesFitEightyColumnsAndJSONCarriesThePace() throws {
        let temporary = try TemporaryLedger()
        try write([
            call(day + 9 * hour + 5 * minute, cost: 12_345_678_901, tokens: 9_000_000),
            call(day + 14 * hour + 10 * minute, cost: 2_000_000_000, tokens: 123_456),
        ], to: temporary.ledger)
        let report = try temporary.ledger.blockReport(ReportQuery(timeZone: TimeZone(identifier: "Europe/Paris")!, groupBy: [.block], now: day + 15 * hour))
        let table = ReportRenderer().table(report)
        // Paris is UTC+1 in November.
        let lines = table.split(separator: "\n")
        #expect(lines.prefix(5).allSatisfy { $0.count <= 80 }, "\(table)")
        #expect(lines[1].hasPrefix("2026-11-20 10:00-15:00 ") && lines[1].contains(" 10:05  10:05 "))
        #expect(lines[2].hasPrefix("2026-11-20 15:00-20:00 active  15:10  15:10 "))
        #expect(table.contains("active block, now 16:00: $2.40/h, 10.1k tokens/min since its first call (15:10)\n"))
        #expect(table.contains("at this pace by 20:00: $11.60, 2.9M tokens\n"))
        let json = ReportRenderer().json(report)
        #expect(json.contains(#""key":{"block":"2026-11-20T14:00:00.000Z"},"start":"2026-11-20T14:00:00.000Z","end":"2026-11-20T19:00:00.000Z","first_call":"2026-11-20T14:10:00.000Z","last_call":"2026-11-20T14:10:00.000Z","active":true,"calls":1"#))
        // $2 in the 50 minutes since 14:10 UTC: $2.40 an hour; 4 hours left: $9.60 more.
        #expect(json.contains(#""burn_rate":{"cost_usd_per_hour":"2.400000000","tokens_per_minute":"#))
        #expect(json.contains(#""projected_cost_usd":"11.600000000""#))
        #expect(json.contains(#""burn_rate":null"#))
        let csv = ReportRenderer().csv(report)
        #expect(csv.split(separator: "\n").count == 4)
        #expect(csv.contains(",true,1,123456,"))
        let markdown = ReportRenderer().markdown(report)
        #expect(markdown.contains("| 2026-11-20 15:00-20:00 active | 15:10 | 15:10 |"))
    }
}
