import GRDB
import LLMCostCore

/// The ledger's schema, as append-only migrations: a released migration is never edited;
/// a change is a new migration at the end.
enum LedgerSchema {
    /// `PRAGMA application_id` of every ledger ("LLMC"), so the ledger never mistakes another
    /// program's SQLite file for its own, nor writes its tables into one.
    static let applicationID: Int32 = 0x4C4C_4D43

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: calls, names, tag sets, hourly and daily rollups") { db in
            // Provider, model, agent and session names, stored once and referenced by id, so
            // raw rows stay small and scans fast. Id 0 means "none".
            try db.execute(sql: """
                CREATE TABLE names (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE
                );

                -- One row per metered call: the truth every report is checked against.
                CREATE TABLE calls (
                    id INTEGER PRIMARY KEY,
                    ts_ms INTEGER NOT NULL,                      -- call start, ms since 1970 UTC
                    provider_id INTEGER NOT NULL,
                    model_id INTEGER NOT NULL,
                    agent_id INTEGER NOT NULL DEFAULT 0,
                    session_id INTEGER NOT NULL DEFAULT 0,
                    status INTEGER NOT NULL,                     -- 0 ok, 1 error, 2 cancelled
                    input_tokens INTEGER NOT NULL,               -- uncached input
                    output_tokens INTEGER NOT NULL,              -- reasoning included
                    cache_read_tokens INTEGER NOT NULL,
                    cache_write_5m_tokens INTEGER NOT NULL,
                    cache_write_1h_tokens INTEGER NOT NULL,
                    reasoning_tokens INTEGER NOT NULL,
                    web_search_requests INTEGER NOT NULL,
                    web_fetch_requests INTEGER NOT NULL,
                    cost_nano INTEGER,                           -- NULL: unpriced, never 0
                    cost_origin INTEGER NOT NULL,                -- 0 unpriced, 1 given, 2 priced by the table
                    pricing_entry TEXT,
                    usage_estimated INTEGER NOT NULL DEFAULT 0,
                    est_input_tokens INTEGER,
                    est_output_tokens INTEGER,
                    est_cost_nano INTEGER,
                    latency_ms INTEGER,
                    ttft_ms INTEGER,
                    request_id TEXT,
                    tag_set_id INTEGER NOT NULL DEFAULT 0,       -- 0: no tags
                    dedupe_key BLOB NOT NULL                     -- 16 bytes: see DedupeKey
                );
                CREATE UNIQUE INDEX calls_by_dedupe_key ON calls(dedupe_key);
                CREATE INDEX calls_by_time ON calls(ts_ms);

                -- Each distinct set of tags, stored once (calls repeat a few combinations
                -- millions of times), and its members by key and value for tag filters.
                CREATE TABLE tag_sets (
                    id INTEGER PRIMARY KEY,
                    tags TEXT NOT NULL UNIQUE                    -- canonical JSON object, sorted keys
                );
                CREATE TABLE tag_set_members (
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    tag_set_id INTEGER NOT NULL,
                    PRIMARY KEY (key, value, tag_set_id)
                ) WITHOUT ROWID;

                """)
            // Exact sums per UTC hour (and per UTC day), provider, model and agent, maintained in
            // the same transaction as every write to calls, so reports never scan raw rows.
            // Whole days of a window read the daily table: 24 times fewer rows.
            for (table, timeColumn) in [("rollup_hourly", "hour"), ("rollup_daily", "day")] {
                let measures = RollupColumns.measures.map { "    \($0) INTEGER NOT NULL," }.joined(separator: "\n")
                try db.execute(sql: """
                    CREATE TABLE \(table) (
                        \(timeColumn) INTEGER NOT NULL,
                        provider_id INTEGER NOT NULL,
                        model_id INTEGER NOT NULL,
                        agent_id INTEGER NOT NULL,
                    \(measures)
                        PRIMARY KEY (\(timeColumn), provider_id, model_id, agent_id)
                    ) WITHOUT ROWID
                    """)
            }
        }
        migrator.registerMigration("v2: budget reservations and alert state") { db in
            try db.execute(sql: """
                -- Worst-case costs reserved by calls in flight against hard budgets. A settled
                -- call deletes its rows in the transaction that records it; rows of a crashed
                -- process stop counting at expires_ms.
                CREATE TABLE budget_reservations (
                    id INTEGER PRIMARY KEY,
                    reservation TEXT NOT NULL,                   -- one id per call, shared by its budgets
                    budget TEXT NOT NULL,
                    amount_nano INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    expires_ms INTEGER NOT NULL
                );
                CREATE INDEX budget_reservations_by_budget ON budget_reservations(budget, expires_ms);
                CREATE INDEX budget_reservations_by_reservation ON budget_reservations(reservation);

                -- One row per budget, period and threshold that fired: the row's existence is the
                -- "already alerted" flag shared by every process; delivery is retried until it works.
                CREATE TABLE alert_state (
                    budget TEXT NOT NULL,
                    period_start_ms INTEGER NOT NULL,            -- -1 for a `total` budget
                    threshold_bp INTEGER NOT NULL,               -- basis points of the limit: 8000 = 80%
                    fired_ms INTEGER NOT NULL,
                    spent_nano INTEGER NOT NULL,
                    limit_nano INTEGER NOT NULL,
                    delivered INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    attempted_ms INTEGER NOT NULL,               -- last delivery attempt began
                    last_error TEXT,
                    PRIMARY KEY (budget, period_start_ms, threshold_bp)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3: heuristic estimate columns and their sample index") { db in
            try db.execute(sql: """
                -- A heuristic input estimate before the per-model correction, and the factor
                -- applied (parts per million). NULL: the estimate was exact, or not the meter's.
                -- The correction is learned from raw counts, so it never compounds.
                ALTER TABLE calls ADD COLUMN est_input_raw INTEGER;
                ALTER TABLE calls ADD COLUMN est_correction_ppm INTEGER;

                -- The meter's one query when it refreshes a model's correction: that model's
                -- latest heuristic calls with provider-reported usage. Partial, so it stays
                -- small; covering, so the query never reads the table.
                CREATE INDEX calls_heuristic_samples ON calls(
                    provider_id, model_id, ts_ms, est_input_raw, est_correction_ppm, est_input_tokens,
                    input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, usage_estimated)
                    WHERE est_input_raw IS NOT NULL AND usage_estimated = 0;
                """)
        }
        migrator.registerMigration("v4: budget overruns, reservations in one b-tree") { db in
            try db.execute(sql: """
                -- Calls that cost more than the worst case they reserved against a hard budget:
                -- the only way spend passes a block budget's limit, so each one is kept (one row
                -- per budget the call reserved against) and shown by `budget status`.
                CREATE TABLE budget_overruns (
                    id INTEGER PRIMARY KEY,
                    budget TEXT NOT NULL,
                    ts_ms INTEGER NOT NULL,                      -- the call's start, as calls.ts_ms
                    reserved_nano INTEGER NOT NULL,
                    cost_nano INTEGER NOT NULL,
                    request_id TEXT
                );
                CREATE INDEX budget_overruns_by_budget ON budget_overruns(budget, ts_ms);

                -- Reservations keyed by (budget, reservation) in one b-tree instead of a rowid
                -- table and two indexes: a reservation and its settlement each write a third of
                -- the pages. Rows are few (calls in flight); the expiry sweep scans them all.
                CREATE TABLE budget_reservations_v3 (
                    budget TEXT NOT NULL,
                    reservation TEXT NOT NULL,                   -- one id per call, shared by its budgets
                    amount_nano INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    expires_ms INTEGER NOT NULL,
                    PRIMARY KEY (budget, reservation)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO budget_reservations_v3 (budget, reservation, amount_nano, created_ms, expires_ms)
                    SELECT budget, reservation, amount_nano, created_ms, expires_ms FROM budget_reservations;
                DROP TABLE budget_reservations;
                ALTER TABLE budget_reservations_v3 RENAME TO budget_reservations;
                """)
        }
        migrator.registerMigration("v5: pricing provider, unpriced-model warnings") { db in
            try db.execute(sql: """
                -- The provider whose prices apply when it is not the call's own: a provider
                -- configured under a name of its own (`work`, of type openai) is priced as
                -- `openai`. A names id; 0: priced as the provider itself. Not in the rollups:
                -- reports grouped by it read raw rows.
                ALTER TABLE calls ADD COLUMN pricing_provider_id INTEGER NOT NULL DEFAULT 0;

                -- Unpriced models seen under a `warn` budget: the row's existence means "warned
                -- already" for that budget, period and model, shared by every process.
                CREATE TABLE unpriced_warnings (
                    budget TEXT NOT NULL,
                    period_start_ms INTEGER NOT NULL,            -- -1 for a `total` budget
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    warned_ms INTEGER NOT NULL,
                    PRIMARY KEY (budget, period_start_ms, provider, model)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6: index of the calls priced from the LiteLLM map") { db in
            // Reports say how many calls in their window were priced from the LiteLLM map
            // snapshot rather than the curated table. Partial, so it holds those calls only
            // (none in most ledgers) and costs other writes nothing; covering, so the count never
            // reads the table. Its WHERE is `ReportEngine.mapPricedCondition`, word for word:
            // SQLite uses a partial index only for a query that repeats its condition.
            try db.execute(sql: """
                CREATE INDEX calls_priced_from_map ON calls(ts_ms, provider_id, model_id, agent_id, tag_set_id)
                    WHERE \(mapPricedCondition);
                """)
        }
        migrator.registerMigration("v7: agent log files read so far") { db in
            try db.execute(sql: """
                -- What `import --from claude-code|codex|gemini` has read of each log file, so a
                -- second run reads only what was appended. Written in the transaction that
                -- writes the calls read up to `offset`: a crash can never skip lines.
                CREATE TABLE agent_log_files (
                    path TEXT PRIMARY KEY,
                    source TEXT NOT NULL,                -- claude-code, codex, gemini
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size INTEGER NOT NULL,               -- at the last read
                    mtime_ns INTEGER NOT NULL,           -- at the last read
                    offset INTEGER NOT NULL,             -- after the last complete line consumed
                    lines INTEGER NOT NULL,              -- complete lines consumed
                    state BLOB,                          -- the reader's state to resume with
                    read_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v8: exact sums per session, estimates by time") { db in
            // Per session (0: calls without one), the sums every rollup carries, its first and
            // last call, and the project tag of its latest call that has one: what `report --by
            // session` and the HTML report's most expensive sessions read instead of scanning
            // every call. Kept in the transaction of every write, like the hourly rollups.
            let measures = RollupColumns.measures.map { "    \($0) INTEGER NOT NULL," }.joined(separator: "\n")
            try db.execute(sql: """
                CREATE TABLE rollup_sessions (
                    session_id INTEGER PRIMARY KEY,
                \(measures)
                    first_ms INTEGER NOT NULL,
                    last_ms INTEGER NOT NULL,
                    project_ms INTEGER,                  -- the latest call with a project tag; NULL: none
                    project TEXT
                );
                -- The sessions over a window's edge (first call before it, last at or after it):
                -- those starting within the longest session's length before the edge. On
                -- first_ms alone, so a session's next call (a new last_ms) leaves it untouched.
                CREATE INDEX rollup_sessions_by_first ON rollup_sessions(first_ms);
                CREATE INDEX rollup_sessions_by_length ON rollup_sessions(last_ms - first_ms) WHERE session_id <> 0;
                -- The most expensive sessions without sorting them all.
                CREATE INDEX rollup_sessions_by_cost ON rollup_sessions(cost_nano);
                -- Calls without a session, by time: the first, last and latest project-tagged
                -- of them in a window without reading the others.
                CREATE INDEX calls_without_session ON calls(ts_ms) WHERE session_id = 0;
                -- Every call with an estimate beside reported usage, by time: what `report
                -- accuracy` and the HTML report read. Partial (only metered calls) and covering,
                -- so a ledger of imported calls answers from an empty index.
                CREATE INDEX calls_with_estimates ON calls(
                    ts_ms, provider_id, model_id, est_input_tokens, est_input_raw, est_correction_ppm,
                    input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens)
                    WHERE est_input_tokens IS NOT NULL AND usage_estimated = 0;
                """)
            // The sessions of a ledger written before this table existed.
            try db.execute(sql: """
                INSERT INTO rollup_sessions (session_id, \(RollupColumns.measures.joined(separator: ", ")), first_ms, last_ms)
                SELECT session_id, \(RollupColumns.rawSums.joined(separator: ", ")), MIN(ts_ms), MAX(ts_ms)
                FROM calls GROUP BY session_id;
                WITH tagged AS (
                    SELECT c.session_id, c.ts_ms, m.value AS project
                    FROM calls c JOIN tag_set_members m ON m.tag_set_id = c.tag_set_id AND m.key = 'project'
                ), latest AS (
                    SELECT session_id, MAX(ts_ms) AS ms FROM tagged GROUP BY session_id
                ), chosen AS (
                    SELECT t.session_id, t.ts_ms, MAX(t.project) AS project
                    FROM tagged t JOIN latest l ON l.session_id = t.session_id AND l.ms = t.ts_ms
                    GROUP BY t.session_id
                )
                UPDATE rollup_sessions SET project_ms = chosen.ts_ms, project = chosen.project
                FROM chosen WHERE chosen.session_id = rollup_sessions.session_id;
                """)
        }
        return migrator
    }

    /// Calls whose `pricing_entry` starts with `litellm@`, written as a range (`>= 'litellm@'
    /// AND < 'litellmA'`, the prefix with its last character incremented), so the condition
    /// calls no function and the index matches it exactly.
    static let mapPricedCondition: String = {
        let prefix = PriceQuote.liteLLMSnapshotPrefix
        let last = prefix.unicodeScalars.last.flatMap { Unicode.Scalar($0.value + 1) }.map(String.init) ?? ""
        return "pricing_entry >= '\(prefix)' AND pricing_entry < '\(prefix.dropLast())\(last)'"
    }()
}

/// The measures every rollup row carries, in one order used by the schema, the writer and the
/// consistency check. `cost_nano` sums priced calls only; `unpriced_calls` counts the rest.
enum RollupColumns {
    static let measures = [
        "calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
        "cache_write_1h_tokens", "reasoning_tokens", "web_search_requests", "web_fetch_requests",
        "cost_nano", "unpriced_calls", "error_calls",
    ]

    /// The same measures summed over raw rows of `calls`, in the same order, in SQL both
    /// backends read alike (no sum over a boolean: PostgreSQL has no cast to add them).
    static let rawSums = [
        "COUNT(*)", "SUM(input_tokens)", "SUM(output_tokens)", "SUM(cache_read_tokens)",
        "SUM(cache_write_5m_tokens)", "SUM(cache_write_1h_tokens)", "SUM(reasoning_tokens)",
        "SUM(web_search_requests)", "SUM(web_fetch_requests)", "COALESCE(SUM(cost_nano), 0)",
        "COUNT(*) - COUNT(cost_nano)", "COUNT(NULLIF(status, 0))",
    ]
}
