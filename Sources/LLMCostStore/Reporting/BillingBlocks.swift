import Foundation
import LLMCostCore

/// A 5-hour billing block, the window Claude subscriptions count usage in (as ccusage shows
/// them).
///
/// The rule, over the calls matching a report's filters in time order: a block starts at its
/// first call's time floored to the UTC hour and ends 5 hours later; the next call at or after
/// the block's end, or 5 hours or more after the previous call, starts a new block (floored to
/// its own hour). The gap rule never decides anything on its own: a call 5 hours after the
/// previous one is also at or after the end of that one's block. Since blocks start and end
/// on UTC hours and a call in `[start, end)` always belongs to the block, a block's calls are
/// exactly the calls of `[start, end)`; between blocks there are none.
///
/// A block's start depends on every block before it: continuous activity chains blocks back
/// to the last gap of 5 hours. `Ledger.billingBlocks` finds that gap, so the blocks of a
/// window are the blocks of the whole history.
public struct BillingBlock: Sendable, Hashable {
    /// Start, ms since 1970 UTC, floored to the hour.
    public var start: Int64
    /// `start` + 5 h, exclusive.
    public var end: Int64
    /// The block's first and last call.
    public var firstCall: Int64
    public var lastCall: Int64
    /// The sums of the block's calls (all of them, also those outside a report's window).
    public var totals: CallTotals
    /// Whether `now` is in `[start, end)` and the block's first call is not after `now`.
    public var isActive: Bool
    /// Only for the active block.
    public var burnRate: BurnRate?

    /// How long a block lasts: 5 hours.
    public static let duration: Int64 = 5 * 3_600_000

    public init(
        start: Int64, end: Int64, firstCall: Int64, lastCall: Int64, totals: CallTotals,
        isActive: Bool, burnRate: BurnRate?
    ) {
        self.start = start
        self.end = end
        self.firstCall = firstCall
        self.lastCall = lastCall
        self.totals = totals
        self.isActive = isActive
        self.burnRate = burnRate
    }
}

/// How fast the active block spends, and where it ends if that pace holds.
///
/// The pace is the block's totals over the time from its first call to now (as ccusage does,
/// with elapsed time since the first entry), at least one minute, so the first seconds after
/// a call do not read as thousands of dollars an hour. Tokens are all tokens: input, cache
/// reads and writes, and output. The cost is the priced calls' (an unpriced call adds
/// tokens, not cost). Integer arithmetic, each value rounded once, half away from zero;
/// projections come from the exact totals, not from the rounded rates.
public struct BurnRate: Sendable, Hashable {
    public var costPerHour: Money
    public var tokensPerMinute: Int64
    /// At the block's end.
    public var projectedCost: Money
    public var projectedTokens: Int64

    /// The shortest span a rate is computed over: one minute.
    public static let minimumElapsed: Int64 = 60_000

    public init(costPerHour: Money, tokensPerMinute: Int64, projectedCost: Money, projectedTokens: Int64) {
        self.costPerHour = costPerHour
        self.tokensPerMinute = tokensPerMinute
        self.projectedCost = projectedCost
        self.projectedTokens = projectedTokens
    }

    /// The pace of `totals` spent from `firstCall` to `now`, continued to `end`.
    public init(totals: CallTotals, firstCall: Int64, end: Int64, now: Int64) {
        let elapsed = Int128(max(now - firstCall, Self.minimumElapsed))
        let remaining = Int128(max(end - now, 0))
        let cost = Int128(totals.cost.nanoUSD)
        let tokens = Int128(totals.usage.totalTokens)
        costPerHour = Money(nanoUSD: roundedQuotient(cost * 3_600_000, elapsed))
        tokensPerMinute = roundedQuotient(tokens * 60_000, elapsed)
        projectedCost = Money(nanoUSD: Int64(clamping: cost + Int128(roundedQuotient(cost * remaining, elapsed))))
        projectedTokens = Int64(clamping: tokens + Int128(roundedQuotient(tokens * remaining, elapsed)))
    }
}

/// `numerator / denominator` (denominator > 0) rounded half away from zero, clamped to Int64.
private func roundedQuotient(_ numerator: Int128, _ denominator: Int128) -> Int64 {
    let magnitude = (numerator.magnitude * 2 + denominator.magnitude) / (denominator.magnitude * 2)
    let clamped = Int64(clamping: magnitude)
    return numerator < 0 ? -clamped : clamped
}

/// The billing blocks of a report window, for `llm-cost report --by block`.
public struct BlockReport: Sendable {
    public var query: ReportQuery
    /// The time `isActive` and the burn rate were computed at.
    public var now: Int64
    /// Blocks overlapping the window, oldest first.
    public var blocks: [BillingBlock]
    /// The exact sum of the blocks.
    public var total: CallTotals
    /// Calls of the blocks priced from the LiteLLM map snapshot (see `Report.mapPricedCalls`).
    public var mapPricedCalls: Int64
}

extension Ledger {
    /// Blocks overlapping [since, until) computed from calls matching the filters in `query`.
    ///
    /// The window only selects blocks: their boundaries come from the whole history (the
    /// chain of blocks is followed back from `since` to a gap of 5 hours), and their totals
    /// count all their calls, also those outside the window. `query.now` (else the clock)
    /// decides which block is active. Its grouping is ignored.
    public func billingBlocks(_ query: ReportQuery) throws -> [BillingBlock] {
        let dialect = dialect
        return try transaction(.read) { sql in
            try BillingBlockReader(sql: sql, dialect: dialect, query: query).blocks(now: query.resolvedNow)
        }
    }

    /// `billingBlocks` with the totals and the count of map-priced calls a report prints.
    public func blockReport(_ query: ReportQuery) throws -> BlockReport {
        try query.validate()
        let now = query.resolvedNow
        let dialect = dialect
        return try transaction(.read) { sql in
            let blocks = try BillingBlockReader(sql: sql, dialect: dialect, query: query).blocks(now: now)
            var total = CallTotals()
            for block in blocks { total += block.totals }
            let mapPriced = try blocks.first.map { first in
                try ReportEngine.countMapPricedCalls(sql, dialect, query: query, from: first.start, to: blocks[blocks.count - 1].end)
            } ?? 0
            return BlockReport(query: query, now: now, blocks: blocks, total: total, mapPricedCalls: mapPriced)
        }
    }

    /// The block containing `now`, if it has calls (fast: reads only the last few hours of calls).
    ///
    /// Reads the times of the calls before `now`, newest first, through the time index, and
    /// stops at the first gap of 5 hours (which certainly starts a block): when the newest
    /// call is 5 hours old that is one row. Continuous activity with no such gap makes it read
    /// back through the whole run (a few thousand index entries per day of work). Then one
    /// range query sums the block. Only the filters of `query` apply; its window and grouping
    /// do not.
    public func activeBillingBlock(now: Int64, filters query: ReportQuery = ReportQuery()) throws -> BillingBlock? {
        let dialect = dialect
        return try transaction(.read) { sql in try BillingBlockReader(sql: sql, dialect: dialect, query: query).active(now: now) }
    }
}

/// Follows blocks through call times given in ascending order.
struct BlockChain {
    struct Span: Equatable {
        var start: Int64
        var firstCall: Int64
        var lastCall: Int64
        var end: Int64 { start + BillingBlock.duration }
    }

    private(set) var spans: [Span] = []

    /// Whether a call at `time` (not before the last one added) starts a new block.
    func startsBlock(_ time: Int64) -> Bool {
        guard let last = spans.last else { return true }
        return time >= last.end || time - last.lastCall >= BillingBlock.duration
    }

    mutating func add(_ time: Int64) {
        if startsBlock(time) {
            spans.append(Span(start: Self.hourStart(time), firstCall: time, lastCall: time))
        } else {
            spans[spans.count - 1].lastCall = time
        }
    }

    static func hourStart(_ time: Int64) -> Int64 { floorDiv(time, 3_600_000) * 3_600_000 }
}

/// The queries behind billing blocks, on one read snapshot.
struct BillingBlockReader {
    let sql: any LedgerSQL
    let dialect: SQLDialect
    let query: ReportQuery

    /// How many call times one page of `forEachTime` reads.
    static let timesPerPage = 4096

    /// Hands `body` the times of the calls matching the filters in `[from, to)` (either end
    /// open) through the time index, ascending or descending, until it returns false.
    ///
    /// By pages of distinct times, each a short walk of the index from where the last ended,
    /// so a walk that stops early reads little, on a server too (which sends a result whole).
    /// Calls at one same time are one time here: the chain of blocks is the same with them.
    private func forEachTime(from: Int64?, to: Int64?, descending: Bool, _ body: (Int64) -> Bool) throws {
        var from = from
        var to = to
        while true {
            let (conditions, arguments) = query.rawConditions(from: from, to: to)
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            // INDEXED BY: the walk must be an index walk (or fail loudly), never a sort of the table.
            let page = try sql.rows("""
                SELECT DISTINCT ts_ms FROM calls \(dialect.indexedBy("calls_by_time")) \(whereClause)
                ORDER BY ts_ms \(descending ? "DESC" : "ASC") LIMIT \(Self.timesPerPage)
                """, arguments)
            for row in page {
                guard let time = row.integer(0), body(time) else { return }
                if descending { to = time } else { from = time + 1 }
            }
            if page.count < Self.timesPerPage { return }
        }
    }

    /// A call that certainly starts a block and from which the chain reaches `reference`: the
    /// first call after the last gap of 5 hours before `reference`, or the first call of all.
    /// `nil` when no block before `reference` reaches it (no call before it, or the last one 5
    /// hours or more before it): the first call from `reference` on starts a block.
    func chainStart(before reference: Int64) throws -> Int64? {
        var later: Int64?
        var start: Int64?
        try forEachTime(from: nil, to: reference, descending: true) { time in
            guard let next = later else {
                // The newest call's block ends by `time` + 5 h: before `reference`, or it reaches it.
                if reference - time >= BillingBlock.duration { return false }
                later = time
                return true
            }
            if next - time >= BillingBlock.duration {
                start = next
                return false
            }
            later = time
            return true
        }
        return start ?? later
    }

    /// Blocks overlapping the query's window, with `isActive` and the burn rate as of `now`.
    func blocks(now: Int64) throws -> [BillingBlock] {
        let from: Int64? = try query.since.map { since in try chainStart(before: since) ?? since }
        var chain = BlockChain()
        try forEachTime(from: from, to: nil, descending: false) { time in
            // A block starting at or after `until` is not shown, nor is anything after it.
            if let until = query.until, chain.startsBlock(time), BlockChain.hourStart(time) >= until { return false }
            chain.add(time)
            return true
        }
        let spans = chain.spans.filter { span in query.since.map { span.end > $0 } ?? true }
        guard let first = spans.first, let last = spans.last else { return [] }
        var totals = Array(repeating: CallTotals(), count: spans.count)
        var index = 0
        for (hourStart, hourTotals) in try hourlyTotals(from: first.start, to: last.end) {
            while index < spans.count, spans[index].end <= hourStart { index += 1 }
            // Every call of [first.start, last.end) is in one of the spans (see BillingBlock).
            guard index < spans.count, spans[index].start <= hourStart else { continue }
            totals[index] += hourTotals
        }
        return zip(spans, totals).map { span, totals in block(span, totals: totals, now: now) }
    }

    /// The block containing `now`, if its first call is not after `now`.
    func active(now: Int64) throws -> BillingBlock? {
        var times: [Int64] = []
        var idle = false
        try forEachTime(from: nil, to: now + 1, descending: true) { time in
            if let later = times.last {
                if later - time >= BillingBlock.duration { return false }
            } else if now - time >= BillingBlock.duration {
                idle = true  // the newest call's block ended by now
                return false
            }
            times.append(time)
            return true
        }
        if idle { return nil }
        var chain = BlockChain()
        for time in times.reversed() { chain.add(time) }
        guard let span = chain.spans.last, span.start <= now, now < span.end else { return nil }
        let (totals, lastCall) = try rangeTotals(from: span.start, to: span.end)
        var full = span
        full.lastCall = max(span.lastCall, lastCall ?? span.lastCall)
        return block(full, totals: totals, now: now)
    }

    private func block(_ span: BlockChain.Span, totals: CallTotals, now: Int64) -> BillingBlock {
        let isActive = span.start <= now && now < span.end && span.firstCall <= now
        return BillingBlock(
            start: span.start, end: span.end, firstCall: span.firstCall, lastCall: span.lastCall, totals: totals,
            isActive: isActive,
            burnRate: isActive ? BurnRate(totals: totals, firstCall: span.firstCall, end: span.end, now: now) : nil)
    }

    /// Sums per UTC hour of `[from, to)` (hour-aligned), ascending: from the hourly rollups when
    /// the filters allow (no tag filter), else from raw rows.
    private func hourlyTotals(from: Int64, to: Int64) throws -> [(Int64, CallTotals)] {
        let hour: Int64 = 3_600_000
        let statement: String
        var arguments: [SQLValue]
        if query.tags.isEmpty && !query.forceRawRows {
            var conditions = ["hour >= ?", "hour < ?"]
            arguments = [.integer(from / hour), .integer(to / hour)]
            query.addNameFilters(to: &conditions, arguments: &arguments)
            statement = """
                SELECT hour, \(ReportEngine.rollupMeasures.joined(separator: ", ")) FROM rollup_hourly
                WHERE \(conditions.joined(separator: " AND ")) GROUP BY hour ORDER BY hour
                """
        } else {
            let (conditions, rawArguments) = query.rawConditions(from: from, to: to)
            arguments = rawArguments
            statement = """
                SELECT \(dialect.floorDiv("ts_ms", hour)) AS h, \(ReportEngine.rawMeasures.joined(separator: ", ")) FROM calls
                WHERE \(conditions.joined(separator: " AND ")) GROUP BY h ORDER BY h
                """
        }
        var result: [(Int64, CallTotals)] = []
        try sql.forEachRow(statement, arguments) { row in
            let totals = ReportEngine.totals(row, at: 1)
            if totals.calls != 0 { result.append(((row.integer(0) ?? 0) * hour, totals)) }
        }
        return result
    }

    /// Sums of the calls of `[from, to)` and the last one's time: one index range.
    private func rangeTotals(from: Int64, to: Int64) throws -> (CallTotals, Int64?) {
        let (conditions, arguments) = query.rawConditions(from: from, to: to)
        let statement = """
            SELECT \(ReportEngine.rawMeasures.joined(separator: ", ")), MAX(ts_ms) FROM calls
            WHERE \(conditions.joined(separator: " AND "))
            """
        guard let row = try sql.firstRow(statement, arguments) else { return (CallTotals(), nil) }
        return (ReportEngine.totals(row, at: 0), row.integer(ReportEngine.rawMeasures.count))
    }
}
