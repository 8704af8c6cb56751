import LLMCostCore

/// `report --by session` from `rollup_sessions` instead of every call.
///
/// Without a window, the table is the answer. With one, sessions wholly inside it come from the
/// table; the few that straddle an edge are summed from their raw rows within the window (a
/// short stretch of the time index: sessions are short); calls without a session are the
/// window's total (from the hourly and daily rollups) less every session's part. Each piece is
/// exact, so the report equals the raw one (tests prove it).
extension ReportEngine {
    /// Grouped by session alone, without name or tag filters.
    var sessionRollupsUsable: Bool {
        query.groupBy == [.session] && query.providers.isEmpty && query.models.isEmpty && query.agents.isEmpty
            && query.tags.isEmpty && !query.forceRawRows
    }

    private static let sessionColumns =
        "n.name, " + RollupColumns.measures.map { "r.\($0)" }.joined(separator: ", ") + ", r.first_ms, r.last_ms, r.project_ms, r.project"

    func runFromSessionRollups() throws -> Report {
        var sums: [PartialKey: GroupSums] = [:]
        guard query.since != nil || query.until != nil else {
            try readSessions(where: "r.calls <> 0", [], into: &sums)
            let total = try query.limit == nil ? nil : windowTotal()
            return try finish(sums, plan: "sessions", total: total)
        }
        let since = query.since ?? Int64.min
        let until = query.until ?? Int64.max
        let inside = "r.session_id <> 0 AND r.calls <> 0 AND r.first_ms >= ? AND r.last_ms < ?"
        try readSessions(where: inside, [.integer(since), .integer(until)], into: &sums)

        // Sessions with calls on both sides of an edge: their calls inside, from raw rows. They
        // start at most the longest session's length before the edge.
        let longest = try sql.firstRow("""
            SELECT MAX(last_ms - first_ms) FROM rollup_sessions \(dialect.indexedBy("rollup_sessions_by_length"))
            WHERE session_id <> 0
            """)?.integer(0) ?? 0
        var straddlers: [Int64: (first: Int64, last: Int64)] = [:]
        for edge in [query.since, query.until].compactMap({ $0 }) {
            let start = edge > Int64.min + longest ? edge - longest : Int64.min
            try sql.forEachRow("""
                SELECT session_id, first_ms, last_ms FROM rollup_sessions \(dialect.indexedBy("rollup_sessions_by_first"))
                WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ? AND session_id <> 0
                """, [.integer(start), .integer(edge), .integer(edge)]) { row in
                straddlers[row.integer(0) ?? 0] = (row.integer(1) ?? 0, row.integer(2) ?? 0)
            }
        }
        var straddlerSums: [PartialKey: GroupSums] = [:]
        if !straddlers.isEmpty {
            let (condition, ids) = dialect.isOneOf("session_id", straddlers.keys.sorted())
            // Those over `since` have their window calls in [since, their last call]; those over
            // `until` in [their first call, until). Two disjoint ranges, each call read once.
            let overSince = straddlers.values.filter { $0.first < since }
            let firstEnd = overSince.map(\.last).max().map { min(until, $0 + 1) } ?? since
            let overUntil = straddlers.values.filter { $0.last >= until && $0.first >= since }
            let secondStart = max(firstEnd, overUntil.map(\.first).min() ?? until)
            for (from, to) in [(since, firstEnd), (secondStart, until)] where from < to {
                try sumRaw(
                    from: from == Int64.min ? nil : from, to: to == Int64.max ? nil : to, bucket: 3_600_000,
                    extraConditions: [condition], extraArguments: [ids], into: &straddlerSums)
            }
        }
        for (key, group) in straddlerSums { sums[key, default: GroupSums()] += group }

        let total = try windowTotal()
        let unnamed = try unnamedTotals(windowTotal: total, inside: inside, straddlers: straddlerSums, since: since, until: until)
        if unnamed.calls != 0 {
            let unnamedCalls = "FROM calls \(dialect.indexedBy("calls_without_session")) WHERE session_id = 0 AND ts_ms >= ? AND ts_ms < ?"
            let bounds = try sql.firstRow(
                "SELECT (SELECT MIN(ts_ms) \(unnamedCalls)), (SELECT MAX(ts_ms) \(unnamedCalls))",
                [.integer(since), .integer(until), .integer(since), .integer(until)])
            let first = bounds?.integer(0) ?? since
            let last = bounds?.integer(1) ?? since
            let project = try unnamedProject(since: since, until: until)
            sums[PartialKey(names: [nil], bucketStart: nil)] = GroupSums(
                totals: unnamed,
                activity: SessionActivity(firstCall: first, lastCall: last, project: project?.project, projectSeen: project?.seen ?? last))
        }
        return try finish(sums, plan: "sessions+raw edges", total: total)
    }

    /// Rows of `rollup_sessions` matching `condition`: all of them, or with `query.limit` the
    /// most expensive (and every row tied with the last, so the report's own order decides).
    private func readSessions(where condition: String, _ arguments: [SQLValue], into sums: inout [PartialKey: GroupSums]) throws {
        let select = "SELECT \(Self.sessionColumns) FROM rollup_sessions r LEFT JOIN names n ON n.id = r.session_id WHERE "
        func add(_ condition: String, _ extra: [SQLValue] = []) throws -> SQLRow? {
            var lastRow: SQLRow?
            try sql.forEachRow(select + condition, arguments + extra) { row in
                let totals = Self.totals(row, at: 1)
                let last = row.integer(14) ?? 0
                let seen = row.integer(15)
                // Assigned, not added: a session is one row of the table, and a tie read twice is the same row.
                sums[PartialKey(names: [row.text(0)], bucketStart: nil)] = GroupSums(
                    totals: totals,
                    activity: SessionActivity(firstCall: row.integer(13) ?? 0, lastCall: last, project: row.text(16), projectSeen: seen ?? last))
                lastRow = row
            }
            return lastRow
        }
        guard let limit = query.limit else {
            _ = try add(condition)
            return
        }
        // Priced sessions by cost (the cost index), then, if too few, unpriced ones by calls.
        let priced = condition + " AND r.unpriced_calls < r.calls"
        let before = sums.count
        if let last = try add(priced + " ORDER BY r.cost_nano DESC LIMIT \(limit)"), sums.count - before == limit {
            _ = try add(priced + " AND r.cost_nano = ?", [.integer(last.integer(10) ?? 0)])
            return
        }
        let remaining = limit - (sums.count - before)
        let unknown = condition + " AND r.unpriced_calls = r.calls"
        if let last = try add(unknown + " ORDER BY r.calls DESC LIMIT \(remaining)"), remaining > 0 {
            _ = try add(unknown + " AND r.calls = ?", [.integer(last.integer(1) ?? 0)])
        }
    }

    /// The window's calls without a session, summed the cheapest exact way: none when the
    /// ledger has none; when they are a minority, their own rows in the window (or, when the
    /// window holds most of their time span, all of them less those outside it), through the
    /// index of calls without a session; when they are most of the window, its total less
    /// every session's part (the few sessions inside it, read from the table).
    private func unnamedTotals(
        windowTotal: CallTotals, inside: String, straddlers: [PartialKey: GroupSums], since: Int64, until: Int64
    ) throws -> CallTotals {
        let measures = RollupColumns.measures.joined(separator: ", ")
        guard let stored = try sql.firstRow("SELECT \(measures), first_ms, last_ms FROM rollup_sessions WHERE session_id = 0"),
            let first = stored.integer(12), let last = stored.integer(13)
        else { return CallTotals() }
        let all = Self.totals(stored, at: 0)
        guard all.calls != 0 else { return CallTotals() }
        // The share of their time span the window covers: a guide to how many are inside.
        let covered = Double(max(0, min(until, last + 1) - max(since, first))) / Double(max(1, last + 1 - first))
        let expectedInside = Double(all.calls) * covered
        guard expectedInside * 2 < Double(windowTotal.calls) else {
            var named = try sumSessions(inside, [.integer(since), .integer(until)])
            for group in straddlers.values { named += group.totals }
            return windowTotal - named
        }
        func unnamed(from: Int64, to: Int64) throws -> CallTotals {
            guard from < to else { return CallTotals() }
            let statement = "SELECT \(RollupColumns.rawSums.joined(separator: ", ")) FROM calls \(dialect.indexedBy("calls_without_session")) "
                + "WHERE session_id = 0 AND ts_ms >= ? AND ts_ms < ?"
            return try sql.firstRow(statement, [.integer(from), .integer(to)]).map { Self.totals($0, at: 0) } ?? CallTotals()
        }
        if covered <= 0.5 { return try unnamed(from: since, to: until) }
        return try all - unnamed(from: Int64.min, to: since) - unnamed(from: until, to: Int64.max)
    }

    /// The sums of the sessions matching `condition`, from the table.
    private func sumSessions(_ condition: String, _ arguments: [SQLValue]) throws -> CallTotals {
        let sums = RollupColumns.measures.map { "COALESCE(SUM(r.\($0)), 0)" }.joined(separator: ", ")
        guard let row = try sql.firstRow("SELECT \(sums) FROM rollup_sessions r WHERE \(condition)", arguments)
        else { return CallTotals() }
        return Self.totals(row, at: 0)
    }

    /// The project of the latest call without a session in the window that has one (the
    /// greater name in a tie). The table's row for those calls knows the latest overall: inside
    /// the window it is the answer, before it there is none; only a window that ends before it
    /// walks back through the calls without a session from the window's end.
    private func unnamedProject(since: Int64, until: Int64) throws -> (project: String, seen: Int64)? {
        let stored = try sql.firstRow("SELECT project_ms, project FROM rollup_sessions WHERE session_id = 0")
        guard let latest = stored?.integer(0) else { return nil }
        if latest < since { return nil }
        if latest < until, let project = stored?.text(1) { return (project, latest) }
        let tagged = """
            FROM calls c \(dialect.indexedBy("calls_without_session"))
            JOIN tag_set_members m ON m.tag_set_id = c.tag_set_id AND m.key = 'project'
            WHERE c.session_id = 0
            """
        guard let seen = try sql.firstRow(
            "SELECT c.ts_ms \(tagged) AND c.ts_ms >= ? AND c.ts_ms < ? ORDER BY c.ts_ms DESC LIMIT 1", [.integer(since), .integer(until)]
        )?.integer(0),
            let project = try sql.firstRow("SELECT MAX(m.value) \(tagged) AND c.ts_ms = ?", [.integer(seen)])?.text(0)
        else { return nil }
        return (project, seen)
    }

    /// The window's total under no grouping: the hourly and daily rollups with raw edges.
    private func windowTotal() throws -> CallTotals {
        var whole = query
        whole.groupBy = []
        whole.limit = nil
        return try ReportEngine(sql: sql, dialect: dialect, query: whole).run().total
    }

}

extension CallTotals {
    /// Every measure of `lhs` less `rhs`'s: the calls of a whole that are not in a part.
    static func - (lhs: CallTotals, rhs: CallTotals) -> CallTotals {
        var result = lhs
        result.calls -= rhs.calls
        result.usage -= rhs.usage
        result.cost -= rhs.cost
        result.unpricedCalls -= rhs.unpricedCalls
        result.errorCalls -= rhs.errorCalls
        return result
    }
}
