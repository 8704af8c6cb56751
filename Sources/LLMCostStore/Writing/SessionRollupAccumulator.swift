import GRDB
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

    /// Adds the pending sums to `rollup_sessions`, in session order (see `RollupAccumulator`).
    mutating func flush(into sql: any LedgerSQL, dialect: SQLDialect) throws {
        guard !pending.isEmpty else { return }
        let statement = dialect == .sqlite ? Self.upsertSQLite : Self.upsertPostgres
        for (session, sums) in pending.sorted(by: { $0.key < $1.key }) {
            let totals = sums.totals
            try sql.execute(statement, [
                .integer(session), .integer(totals.calls), .integer(totals.usage.inputTokens), .integer(totals.usage.outputTokens),
                .integer(totals.usage.cacheReadTokens), .integer(totals.usage.cacheWrite5mTokens),
                .integer(totals.usage.cacheWrite1hTokens), .integer(totals.usage.reasoningTokens),
                .integer(totals.usage.webSearchRequests), .integer(totals.usage.webFetchRequests), .integer(totals.cost.nanoUSD),
                .integer(totals.unpricedCalls), .integer(totals.errorCalls), .integer(sums.firstCall), .integer(sums.lastCall),
                .optional(sums.projectSeen), .optional(sums.project),
            ])
        }
        pending.removeAll()
    }

    /// Sums add; first and last widen; the project moves only to a later call's (or, in the same
    /// millisecond, to the greater name), so the order transactions commit in never matters.
    /// Every SET expression reads the row as it was before the update.
    private static let upsertSQLite = upsertSQL(.sqlite)
    private static let upsertPostgres = upsertSQL(.postgres)

    private static func upsertSQL(_ dialect: SQLDialect) -> String {
        let measures = RollupColumns.measures
        let columns = ["session_id"] + measures + ["first_ms", "last_ms", "project_ms", "project"]
        let newer = """
            excluded.project_ms IS NOT NULL AND (rollup_sessions.project_ms IS NULL
                OR excluded.project_ms > rollup_sessions.project_ms
                OR (excluded.project_ms = rollup_sessions.project_ms AND excluded.project > rollup_sessions.project))
            """
        return """
            INSERT INTO rollup_sessions (\(columns.joined(separator: ", ")))
            VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ",")))
            ON CONFLICT (session_id) DO UPDATE SET
            \(measures.map { "\($0) = rollup_sessions.\($0) + excluded.\($0)" }.joined(separator: ", ")),
            first_ms = \(dialect.least)(rollup_sessions.first_ms, excluded.first_ms),
            last_ms = \(dialect.greatest)(rollup_sessions.last_ms, excluded.last_ms),
            project = CASE WHEN \(newer) THEN excluded.project ELSE rollup_sessions.project END,
            project_ms = CASE WHEN \(newer) THEN excluded.project_ms ELSE rollup_sessions.project_ms END
            """
    }
}
