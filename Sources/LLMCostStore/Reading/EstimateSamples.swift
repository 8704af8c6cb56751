import LLMCostCore

/// One recorded call's input estimate beside the input the provider reported.
public struct EstimateSample: Sendable, Hashable {
    /// The estimate the meter used (after any per-model correction).
    public var appliedTokens: Int64
    /// The raw heuristic count and the factor applied to it; `nil` when the estimate was exact
    /// (or the call was recorded before the ledger kept raw counts).
    public var heuristic: HeuristicInputEstimate?
    /// Input the provider reported: uncached input plus cache reads and writes.
    public var actualTokens: Int64

    public init(appliedTokens: Int64, heuristic: HeuristicInputEstimate?, actualTokens: Int64) {
        self.appliedTokens = appliedTokens
        self.heuristic = heuristic
        self.actualTokens = actualTokens
    }

    /// The estimate before correction: the raw heuristic count, or the applied one when exact.
    public var rawTokens: Int64 { heuristic?.rawTokens ?? appliedTokens }
}

extension Ledger {
    /// The latest `limit` calls of `provider`/`model` since `since` (ms since 1970 UTC) whose
    /// estimate was a heuristic and whose usage the provider reported, newest first.
    ///
    /// One query on the partial index `calls_heuristic_samples`: cheap enough for the meter to
    /// run when it refreshes a model's correction. A model the ledger has never seen has none.
    public func recentHeuristicSamples(provider: String, model: String, since: Int64, limit: Int) throws -> [EstimateSample] {
        try transaction(.read) { sql in
            var samples: [EstimateSample] = []
            samples.reserveCapacity(min(limit, 256))
            try sql.forEachRow("""
                SELECT est_input_tokens, est_input_raw, est_correction_ppm,
                       input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens
                FROM calls
                WHERE provider_id = (SELECT id FROM names WHERE name = ?)
                  AND model_id = (SELECT id FROM names WHERE name = ?)
                  AND est_input_raw IS NOT NULL AND usage_estimated = 0
                  AND ts_ms >= ?
                ORDER BY ts_ms DESC
                LIMIT ?
                """, [.text(provider), .text(model), .integer(since), .integer(Int64(limit))]) { row in
                samples.append(Self.sample(row, offset: 0))
            }
            return samples
        }
    }

    /// Calls `body` with every call in `[since, until)` that has an input estimate and
    /// provider-reported usage, with its provider and model: what `report accuracy` reads.
    public func forEachEstimateSample(
        since: Int64? = nil, until: Int64? = nil, _ body: (_ provider: String, _ model: String, EstimateSample) throws -> Void
    ) throws {
        try transaction(.read) { sql in
            var conditions = ["c.est_input_tokens IS NOT NULL", "c.usage_estimated = 0"]
            var arguments: [SQLValue] = []
            if let since { conditions.append("c.ts_ms >= ?"); arguments.append(.integer(since)) }
            if let until { conditions.append("c.ts_ms < ?"); arguments.append(.integer(until)) }
            try sql.forEachRow("""
                SELECT p.name, m.name, c.est_input_tokens, c.est_input_raw, c.est_correction_ppm,
                       c.input_tokens + c.cache_read_tokens + c.cache_write_5m_tokens + c.cache_write_1h_tokens
                FROM calls c
                JOIN names p ON p.id = c.provider_id
                JOIN names m ON m.id = c.model_id
                WHERE \(conditions.joined(separator: " AND "))
                """, arguments) { row in
                try body(row.text(0) ?? "", row.text(1) ?? "", Self.sample(row, offset: 2))
            }
        }
    }

    /// Reads (applied estimate, raw, factor ppm, actual) from four columns starting at `offset`.
    private static func sample(_ row: SQLRow, offset: Int) -> EstimateSample {
        let raw = row.integer(offset + 1)
        let factor = row.integer(offset + 2)
        return EstimateSample(
            appliedTokens: row.integer(offset) ?? 0,
            heuristic: raw.map { HeuristicInputEstimate(rawTokens: $0, factorPartsPerMillion: factor ?? HeuristicInputEstimate.noCorrection) },
            actualTokens: row.integer(offset + 3) ?? 0)
    }
}

/// How much a model has answered lately: calls that did not fail, and their output tokens.
public struct RecentOutput: Sendable, Hashable {
    public var calls: Int64
    public var outputTokens: Int64

    /// Mean output tokens per call (rounded up), `nil` without calls.
    public var meanPerCall: Int64? { calls > 0 ? (outputTokens + calls - 1) / calls : nil }
}

extension Ledger {
    /// Output of `provider`/`model`'s calls since `since` (ms since 1970 UTC, rounded down to the
    /// hour), from the hourly rollups: a few hundred rows whatever the ledger's size. Failed
    /// calls are left out of the count (they answer little or nothing).
    public func recentOutput(provider: String, model: String, since: Int64) throws -> RecentOutput {
        try transaction(.read) { sql in
            let row = try sql.firstRow("""
                SELECT COALESCE(SUM(calls - error_calls), 0), COALESCE(SUM(output_tokens), 0)
                FROM rollup_hourly
                WHERE hour >= ?
                  AND provider_id = (SELECT id FROM names WHERE name = ?)
                  AND model_id = (SELECT id FROM names WHERE name = ?)
                """, [.integer(floorDiv(since, 3_600_000)), .text(provider), .text(model)])
            return RecentOutput(calls: row?.integer(0) ?? 0, outputTokens: row?.integer(1) ?? 0)
        }
    }
}
