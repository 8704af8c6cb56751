import LLMCostCore

/// Changes to `rollup_sessions` gathered during a transaction and applied at its end, one
/// upsert per session touched (as `RollupAccumulator` does for the hourly rollups).
struct SessionRollupAccumulator {
    struct Pending {
        var totals = CallTotals()
        /// `Int64.max` / `Int64.min` when no call was added (a cost change only): the upsert's
        /// MIN and MAX then keep the stored values.
        var firstCall = Int64.max
        var lastCall = Int64.min
        /// The latest call with a project tag among those added, and its project.
        var projectSeen: Int64?
        var project: String?
    }

    private var pending: [Int64: Pending] = [:]

    /// A new call of `session` (0: none) at `time`, with its `project` tag if it has one.
    mutating func add(session: Int64, time: Int64, project: String?, usage: Usage, cost: Money?, isError: Bool) {
        var sums = pending[session] ?? Pending()
        sums.totals.calls += 1
        sums.totals.usage += usage
        if let cost { sums.totals.cost += cost } else { sums.totals.unpricedCalls += 1 }
        if isError { sums.totals.errorCalls += 1 }
        sums.firstCall = min(sums.firstCall, time)
        sums.lastCall = max(sums.lastCall, time)
        if let project, sums.projectSeen.map({ time > $0 || (time == $0 && project > (sums.project ?? "")) }) ?? true {
            sums.projectSeen = time
            sums.project = project
        }
        pending[session] = sums
    }

    /// A stored call's cost changed (a reprice).
    mutating func changeCost(session: Int64, from old: Money?, to new: Money?) {
        var sums = pending[session] ?? Pending()
        if let old { sums.totals.cost -= old } else { sums.totals.unpricedCalls -= 1 }
        if let new { sums.totals.cost += new } else { sums.totals.unpricedCalls += 1 }
        pending[session] = sums
    }

    /// A stored call's counts and cost were replaced by a larger copy's; its time and tags stay.
    mutating func replace(session: Int64, usage old: Usage, cost oldCost: Money?, with new: Usage, cost newCost: Money?) {
        var sums = pending[session] ?? Pending()
        sums.totals.usage += new
        sums.totals.usage -= old
        pending[session] = sums
        changeCost(session: session, from: oldCost, to: newCost)
    }

    /// The pending sums in session order (see `RollupAccumulator.take`); nothing is pending
    /// afterwards.
    mutating func take() -> [(session: Int64, sums: Pending)] {
        defer { pending.removeAll() }
        return pending.sorted { $0.key < $1.key }.map { (session: $0.key, sums: $0.value) }
    }

    /// Adds the pending sums to `rollup_sessions`, one upsert per session.
    mutating func flush(into sql: any LedgerSQL, dialect: SQLDialect) throws {
        let statement = dialect == .sqlite ? Self.singleSQLite : Self.singlePostgres
        for row in take() { try sql.execute(statement, Self.values(row.session, row.sums)) }
    }

    /// The values of one session's row, in the upsert's column order.
    static func values(_ session: Int64, _ sums: Pending) -> [SQLValue] {
        let totals = sums.totals
        return [
            .integer(session), .integer(totals.calls), .integer(totals.usage.inputTokens), .integer(totals.usage.outputTokens),
            .integer(totals.usage.cacheReadTokens), .integer(totals.usage.cacheWrite5mTokens),
            .integer(totals.usage.cacheWrite1hTokens), .integer(totals.usage.reasoningTokens),
            .integer(totals.usage.webSearchRequests), .integer(totals.usage.webFetchRequests), .integer(totals.cost.nanoUSD),
            .integer(totals.unpricedCalls), .integer(totals.errorCalls), .integer(sums.firstCall), .integer(sums.lastCall),
            .optional(sums.projectSeen), .optional(sums.project),
        ]
    }

    /// Sums add; first and last widen; the project moves only to a later call's (or, in the same
    /// millisecond, to the greater name), so the order transactions commit in never matters.
    /// Every SET expression reads the row as it was before the update.
    // Built once: building the SQL text on every flush cost more than running it.
    private static let singleSQLite = upsertSQL(.sqlite, rows: 1)
    private static let singlePostgres = upsertSQL(.postgres, rows: 1)

    /// An upsert of `rows` sessions.
    static func upsertSQL(_ dialect: SQLDialect, rows: Int) -> String {
        let measures = RollupColumns.measures
        let columns = ["session_id"] + measures + ["first_ms", "last_ms", "project_ms", "project"]
        let newer = """
            excluded.project_ms IS NOT NULL AND (rollup_sessions.project_ms IS NULL
                OR excluded.project_ms > rollup_sessions.project_ms
                OR (excluded.project_ms = rollup_sessions.project_ms AND excluded.project > rollup_sessions.project))
            """
        return """
            INSERT INTO rollup_sessions (\(columns.joined(separator: ", ")))
            VALUES \(Array(repeating: "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")", count: rows).joined(separator: ","))
            ON CONFLICT (session_id) DO UPDATE SET
            \(measures.map { "\($0) = rollup_sessions.\($0) + excluded.\($0)" }.joined(separator: ", ")),
            first_ms = \(dialect.least)(rollup_sessions.first_ms, excluded.first_ms),
            last_ms = \(dialect.greatest)(rollup_sessions.last_ms, excluded.last_ms),
            project = CASE WHEN \(newer) THEN excluded.project ELSE rollup_sessions.project END,
            project_ms = CASE WHEN \(newer) THEN excluded.project_ms ELSE rollup_sessions.project_ms END
            """
    }
}
