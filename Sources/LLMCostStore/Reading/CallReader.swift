import GRDB
import LLMCostCore

extension Ledger {
    /// Calls `body` with every stored call in `[since, until)`, oldest first, from one
    /// consistent snapshot, in constant memory: one cursor on SQLite; on a server, pages of
    /// `Self.callPage` calls, each after the last one read, in one repeatable-read transaction.
    public func forEachCall(since: Int64? = nil, until: Int64? = nil, _ body: (CallRecord) throws -> Void) throws {
        let paged = dialect == .postgres
        try transaction(.read) { sql in
            var after: (ts: Int64, id: Int64)?
            while true {
                var conditions: [String] = []
                var arguments: [SQLValue] = []
                if let since { conditions.append("c.ts_ms >= ?"); arguments.append(.integer(since)) }
                if let until { conditions.append("c.ts_ms < ?"); arguments.append(.integer(until)) }
                if let after {
                    conditions.append("(c.ts_ms > ? OR (c.ts_ms = ? AND c.id > ?))")
                    arguments += [.integer(after.ts), .integer(after.ts), .integer(after.id)]
                }
                let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                var read = 0
                try sql.forEachRow("""
                    SELECT c.ts_ms, p.name, m.name, a.name, s.name, t.tags, c.request_id, c.status,
                           c.input_tokens, c.output_tokens, c.cache_read_tokens, c.cache_write_5m_tokens,
                           c.cache_write_1h_tokens, c.reasoning_tokens, c.web_search_requests,
                           c.web_fetch_requests, c.cost_nano, c.pricing_entry, c.usage_estimated,
                           c.est_input_tokens, c.est_output_tokens, c.est_cost_nano, c.latency_ms, c.ttft_ms,
                           c.est_input_raw, c.est_correction_ppm, pp.name, c.id
                    FROM calls c
                    JOIN names p ON p.id = c.provider_id
                    JOIN names m ON m.id = c.model_id
                    LEFT JOIN names a ON a.id = c.agent_id
                    LEFT JOIN names s ON s.id = c.session_id
                    LEFT JOIN tag_sets t ON t.id = c.tag_set_id
                    LEFT JOIN names pp ON pp.id = c.pricing_provider_id
                    \(whereClause)
                    ORDER BY c.ts_ms, c.id
                    \(paged ? "LIMIT \(Self.callPage)" : "")
                    """, arguments) { row in
                    read += 1
                    after = (row.integer(0) ?? 0, row.integer(27) ?? 0)
                    try body(Self.callRecord(row))
                }
                if !paged || read < Self.callPage { return }
            }
        }
    }

    /// Calls per page when reading every call from a server.
    static let callPage = 10_000

    /// A stored call, from the columns `forEachCall` selects.
    private static func callRecord(_ row: SQLRow) -> CallRecord {
        var record = CallRecord(timestamp: .init(timeIntervalSince1970: 0), provider: row.text(1) ?? "", model: row.text(2) ?? "")
        record.epochMilliseconds = row.integer(0) ?? 0
        record.agent = row.text(3)
        record.session = row.text(4)
        if let tags = row.text(5) { record.tags = TagsJSON.decode(tags) }
        record.requestID = row.text(6)
        record.status = CallStatus(storedValue: row.integer(7) ?? 0)
        record.usage = Usage(
            inputTokens: row.integer(8) ?? 0, outputTokens: row.integer(9) ?? 0, cacheReadTokens: row.integer(10) ?? 0,
            cacheWrite5mTokens: row.integer(11) ?? 0, cacheWrite1hTokens: row.integer(12) ?? 0,
            reasoningTokens: row.integer(13) ?? 0, webSearchRequests: row.integer(14) ?? 0, webFetchRequests: row.integer(15) ?? 0)
        record.cost = row.integer(16).map(Money.init(nanoUSD:))
        record.pricingEntry = row.text(17)
        record.usageSource = row.integer(18) == 1 ? .estimated : .reported
        let estimatedInput = row.integer(19)
        let estimatedOutput = row.integer(20)
        if estimatedInput != nil || estimatedOutput != nil {
            record.estimatedUsage = Usage(inputTokens: estimatedInput ?? 0, outputTokens: estimatedOutput ?? 0)
        }
        record.estimatedCost = row.integer(21).map(Money.init(nanoUSD:))
        record.latencyMilliseconds = row.integer(22)
        record.timeToFirstTokenMilliseconds = row.integer(23)
        if let raw = row.integer(24) {
            record.heuristicEstimate = HeuristicInputEstimate(
                rawTokens: raw, factorPartsPerMillion: row.integer(25) ?? HeuristicInputEstimate.noCorrection)
        }
        record.pricingProvider = row.text(26)
        return record
    }

    /// Number of calls stored.
    public func callCount() throws -> Int {
        try transaction(.read) { sql in Int(try sql.firstRow("SELECT COUNT(*) FROM calls")?.integer(0) ?? 0) }
    }

    /// Checks that the hourly and daily rollups equal sums over raw rows, field by field.
    /// Returns the rollup rows that disagree (empty when consistent). Reads every row: for
    /// tests and `llm-cost ledger verify`, not for reports.
    public func rollupDiscrepancies() throws -> [String] {
        let dialect = dialect
        return try transaction(.read) { sql in
            try Self.discrepancies(sql, dialect, table: "rollup_hourly", timeColumn: "hour", unitMilliseconds: 3_600_000)
                + Self.discrepancies(sql, dialect, table: "rollup_daily", timeColumn: "day", unitMilliseconds: 86_400_000)
                + Self.sessionDiscrepancies(sql)
        }
    }

    /// `rollup_sessions` against the raw rows: sums, first and last call, and the project of
    /// the latest project-tagged call (the greater name in a tie).
    private static func sessionDiscrepancies(_ sql: any LedgerSQL) throws -> [String] {
        let columns = RollupColumns.measures
        let sums = zip(RollupColumns.rawSums, columns).map { "\($0) AS \($1)" }.joined(separator: ", ")
        let differs = (columns + ["first_ms", "last_ms"]).map { "r.\($0) IS DISTINCT FROM x.\($0)" }.joined(separator: " OR ")
        let statement = """
            WITH x AS (
                SELECT session_id, \(sums), MIN(ts_ms) AS first_ms, MAX(ts_ms) AS last_ms FROM calls GROUP BY session_id
            ), tagged AS (
                SELECT c.session_id, c.ts_ms, m.value AS project
                FROM calls c JOIN tag_set_members m ON m.tag_set_id = c.tag_set_id AND m.key = 'project'
            ), latest AS (
                SELECT session_id, MAX(ts_ms) AS ms FROM tagged GROUP BY session_id
            ), chosen AS (
                SELECT t.session_id, l.ms AS project_ms, MAX(t.project) AS project
                FROM tagged t JOIN latest l ON l.session_id = t.session_id AND l.ms = t.ts_ms
                GROUP BY t.session_id, l.ms
            )
            SELECT 'rollup_sessions session ' || CAST(x.session_id AS TEXT)
                || ': rollup calls ' || COALESCE(CAST(r.calls AS TEXT), 'missing') || ', raw calls ' || CAST(x.calls AS TEXT)
                || ', rollup cost ' || COALESCE(CAST(r.cost_nano AS TEXT), 'missing') || ', raw cost ' || CAST(x.cost_nano AS TEXT)
                || ', rollup project ' || COALESCE(r.project, '-') || ', raw project ' || COALESCE(p.project, '-')
            FROM x LEFT JOIN rollup_sessions r USING (session_id) LEFT JOIN chosen p USING (session_id)
            WHERE r.session_id IS NULL OR \(differs) OR r.project IS DISTINCT FROM p.project
                OR r.project_ms IS DISTINCT FROM p.project_ms
            UNION ALL
            SELECT 'rollup_sessions session ' || CAST(r.session_id AS TEXT) || ': rollup row without raw rows'
            FROM rollup_sessions r LEFT JOIN x USING (session_id)
            WHERE x.session_id IS NULL AND r.calls <> 0
            """
        return try sql.rows(statement).compactMap { $0.text(0) }
    }

    private static func discrepancies(
        _ sql: any LedgerSQL, _ dialect: SQLDialect, table: String, timeColumn: String, unitMilliseconds: Int64
    ) throws -> [String] {
        let columns = RollupColumns.measures
        let sums = zip(RollupColumns.rawSums, columns).map { "\($0) AS \($1)" }.joined(separator: ", ")
        let rawSums = """
            SELECT \(dialect.floorDiv("ts_ms", unitMilliseconds)) AS \(timeColumn), provider_id, model_id, agent_id, \(sums)
            FROM calls GROUP BY 1, 2, 3, 4
            """
        let differs = columns.map { "r.\($0) IS DISTINCT FROM x.\($0)" }.joined(separator: " OR ")
        let key = "\(timeColumn), provider_id, model_id, agent_id"
        let statement = """
            WITH x AS (\(rawSums))
            SELECT '\(table) \(timeColumn) ' || CAST(x.\(timeColumn) AS TEXT) || ' provider ' || CAST(x.provider_id AS TEXT)
                || ' model ' || CAST(x.model_id AS TEXT) || ' agent ' || CAST(x.agent_id AS TEXT)
                || ': rollup calls ' || COALESCE(CAST(r.calls AS TEXT), 'missing') || ', raw calls ' || CAST(x.calls AS TEXT)
                || ', rollup cost ' || COALESCE(CAST(r.cost_nano AS TEXT), 'missing') || ', raw cost ' || CAST(x.cost_nano AS TEXT)
            FROM x LEFT JOIN \(table) r USING (\(key))
            WHERE r.\(timeColumn) IS NULL OR \(differs)
            UNION ALL
            SELECT '\(table) \(timeColumn) ' || CAST(r.\(timeColumn) AS TEXT) || ': rollup row without raw rows'
            FROM \(table) r LEFT JOIN x USING (\(key))
            WHERE x.\(timeColumn) IS NULL AND r.calls <> 0
            """
        return try sql.rows(statement).compactMap { $0.text(0) }
    }
}
