import Foundation
import GRDB
import LLMCostCore

/// What one write did.
public enum WriteOutcome: Sendable, Equatable {
    /// The call was new and is now in the ledger.
    case inserted
    /// The ledger already had this call (same request id, or same content): nothing changed.
    case duplicate
    /// The ledger had this call with fewer tokens, and now has these counts (and their cost):
    /// see `LedgerWriteSession.insertKeepingLarger(_:)`.
    case grown
}

/// The writes of one transaction: calls in, rollups kept exact.
///
/// Holds a name cache and the pending rollup sums for the transaction; `finish()` adds the
/// sums to the rollup tables before commit. Created only by the ledger's `write(pricing:_:)`,
/// never kept past it. Written once over `LedgerSQL`: the same statements on SQLite and on
/// PostgreSQL (every insert that another host may race is an `ON CONFLICT` upsert).
public final class LedgerWriteSession {
    /// The transaction's connection, for writes of other tables in the same transaction.
    let sql: any LedgerSQL
    private let dialect: SQLDialect
    private let pricing: (any CallPricing)?
    private let knownNames: IDCache
    private let knownTagSets: IDCache
    /// Names and tag sets this transaction looked up or created; shared only once it commits.
    private(set) var newNames: [String: Int64] = [:]
    private(set) var newTagSets: [String: Int64] = [:]
    private var rollups = RollupAccumulator()
    private var sessionRollups = SessionRollupAccumulator()
    private var keyScratch: [UInt8] = []

    /// Calls inserted and duplicates skipped so far.
    public private(set) var insertedCount = 0
    public private(set) var duplicateCount = 0
    /// Calls whose stored counts a larger copy replaced (`insertKeepingLarger`).
    public private(set) var grownCount = 0

    private static let insertCall = """
        INSERT INTO calls (ts_ms, provider_id, model_id, agent_id, session_id, status,
            input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
            cache_write_1h_tokens, reasoning_tokens, web_search_requests, web_fetch_requests,
            cost_nano, cost_origin, pricing_entry, usage_estimated, est_input_tokens,
            est_output_tokens, est_cost_nano, latency_ms, ttft_ms, request_id, tag_set_id, dedupe_key,
            est_input_raw, est_correction_ppm, pricing_provider_id)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT (dedupe_key) DO NOTHING
        """

    private enum ColumnKind { case integer, text, blob }

    /// The kind of each of `insertCall`'s columns, in order.
    private static let callColumnKinds: [ColumnKind] = [
        .integer, .integer, .integer, .integer, .integer, .integer,
        .integer, .integer, .integer, .integer, .integer, .integer, .integer, .integer,
        .integer, .integer, .text, .integer, .integer, .integer, .integer, .integer, .integer, .text,
        .integer, .blob, .integer, .integer, .integer,
    ]

    /// `insertCall` for many calls at once on PostgreSQL: each column an array.
    private static let insertCallsFromArrays: String = {
        let columns = insertCall.components(separatedBy: "VALUES")[0]
        let arrays = Array(repeating: "?", count: callColumnKinds.count).joined(separator: ", ")
        return columns + "SELECT * FROM unnest(\(arrays))\nON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key"
    }()

    init(sql: any LedgerSQL, dialect: SQLDialect, pricing: (any CallPricing)?, knownNames: IDCache, knownTagSets: IDCache) {
        self.sql = sql
        self.dialect = dialect
        self.pricing = pricing
        self.knownNames = knownNames
        self.knownTagSets = knownTagSets
    }

    /// Writes one call unless the ledger has it already. A call without a cost is priced by
    /// the session's pricing, when it knows the model; otherwise it is stored unpriced.
    @discardableResult
    public func insert(_ record: CallRecord) throws -> WriteOutcome {
        try insert(record, keepLarger: false)
    }

    /// Writes one call, or, when the ledger has it already (same request id) with fewer tokens,
    /// replaces its counts and cost with this record's (time, names and tags stay the first
    /// record's). For sources that write one response several times as it grows: Claude Code
    /// logs a streamed message once per content block, output growing, and the largest copy is
    /// the billed one. "Fewer" compares every token and request count of the call.
    @discardableResult
    public func insertKeepingLarger(_ record: CallRecord) throws -> WriteOutcome {
        try insert(record, keepLarger: true)
    }

    private func insert(_ record: CallRecord, keepLarger: Bool) throws -> WriteOutcome {
        let call = try prepare(record)
        guard try sql.execute(Self.insertCall, call.values) == 1 else {
            if keepLarger,
                try grow(dedupeKey: call.dedupeKey, usage: record.usage, cost: call.cost, costOrigin: call.costOrigin,
                         pricingEntry: call.pricingEntry) {
                grownCount += 1
                return .grown
            }
            duplicateCount += 1
            return .duplicate
        }
        account(call, record)
        return .inserted
    }

    /// Writes `records` as `insert(_:)` would, one after another (a call repeated within them
    /// is a duplicate the second time), counted in `insertedCount` and `duplicateCount`.
    ///
    /// On a server, where each statement is a round trip, by statements of many rows: the
    /// batch's new names and tag sets first, in a few statements, then inserts of up to
    /// `callsPerStatement` calls each from arrays (`unnest`), whose `RETURNING` says which were
    /// new. Each insert runs on the server while the next one's arrays are built here. Calls go
    /// in in dedupe-key order (the first of equal keys first), so two hosts inserting some same
    /// calls wait for each other but never deadlock.
    public func insert(contentsOf records: some Collection<CallRecord>) throws {
        guard dialect == .postgres else {
            for record in records { try insert(record, keepLarger: false) }
            return
        }
        let records = Array(records)
        let keys = records.map(keys(of:))
        try resolveNames(records)
        try resolveTagSets(keys)
        let order = records.indices.sorted { left, right in
            keys[left].dedupeKey == keys[right].dedupeKey
                ? left < right : keys[left].dedupeKey.lexicographicallyPrecedes(keys[right].dedupeKey)
        }
        // Slices of equal size: no short statement at the end. Each slice's rows are prepared
        // and its arrays built while the server inserts the one before.
        let statements = (order.count + Self.callsPerStatement - 1) / Self.callsPerStatement
        let perStatement = (order.count + statements - 1) / max(1, statements)
        var pending: (rows: PendingRows, slice: ArraySlice<Int>, calls: [PreparedCall])?
        var start = order.startIndex
        while start < order.endIndex {
            let slice = order[start..<min(start + perStatement, order.endIndex)]
            start = slice.endIndex
            let calls = try slice.map { try prepare(records[$0], keys[$0]) }
            let columns = Self.callColumnKinds.indices.map { column -> SQLValue in
                let values = calls.lazy.map { $0.values[column] }
                switch Self.callColumnKinds[column] {
                case .integer: return .array(.integers(of: values))
                case .text: return .array(.texts(of: values))
                case .blob: return .array(.blobs(of: values))
                }
            }
            let submitted = try sql.submit(Self.insertCallsFromArrays, columns)
            if let previous = pending { try accountInserted(previous.rows, previous.slice, previous.calls, records) }
            pending = (submitted, slice, calls)
        }
        if let last = pending { try accountInserted(last.rows, last.slice, last.calls, records) }
    }

    /// Sends one call and its rollups as one statement, answered later: one row, 1 when the
    /// call was new, 0 when the ledger had it. For `Ledger.record` on a server, where it makes
    /// recording a call one round trip (`BEGIN` and `COMMIT` go with it), through the schema's
    /// `record_call` function, whose statements the server plans once per connection.
    func submitRecordCall(_ record: CallRecord) throws -> PendingRows {
        let call = try prepare(record)
        let project = SQLValue.optional(record.tags.isEmpty ? nil : record.tags["project"])
        return try sql.submit(Self.recordCall, call.values + [project])
    }

    /// `record_call(...)` with `insertCall`'s values and the project.
    private static let recordCall =
        "SELECT record_call(" + Array(repeating: "?", count: callColumnKinds.count + 1).joined(separator: ", ") + ")"

    /// Calls in one multi-row insert on a server, at most.
    static let callsPerStatement = 2_500

    /// Counts the calls (`calls`, of `records` at the indices in `slice`) of one multi-row insert:
    /// those whose keys it returned were new (the first of equal keys, the one inserted), the
    /// rest duplicates.
    private func accountInserted(
        _ pending: PendingRows, _ slice: ArraySlice<Int>, _ calls: [PreparedCall], _ records: [CallRecord]
    ) throws {
        var inserted: Set<[UInt8]> = []
        for row in try pending.rows() {
            if case .blob(let key) = row.values[0] { inserted.insert(key) }
        }
        for (call, index) in zip(calls, slice) {
            if inserted.remove(call.dedupeKey) != nil {
                account(call, records[index])
            } else {
                duplicateCount += 1
            }
        }
    }

    /// A call ready to insert: its row's values, in `insertCall`'s column order, and what the
    /// rollups need once it is in.
    private struct PreparedCall {
        var values: [SQLValue]
        var dedupeKey: [UInt8]
        var cost: Money?
        var costOrigin: CostOrigin
        var pricingEntry: String?
        var rollupKey: RollupKey
        var sessionID: Int64
    }

    /// Prices `record` when it has no cost and resolves its names and tags to ids.
    private func prepare(_ record: CallRecord, _ known: RecordKeys? = nil) throws -> PreparedCall {
        var cost = record.cost
        var pricingEntry = record.pricingEntry
        // A cost with a pricing entry came from a table (an export of a priced row): reprice may
        // recompute it. A bare cost was given by the caller and is kept as is.
        var costOrigin = record.pricingEntry == nil ? CostOrigin.given : .table
        if cost == nil {
            if let quote = pricing?.quote(for: record) {
                cost = quote.cost
                pricingEntry = quote.entryID
                costOrigin = .table
            } else {
                costOrigin = .unpriced
            }
        }
        let providerID = try nameID(record.provider)
        let modelID = try nameID(record.model)
        let agentID = try record.agent.map(nameID) ?? 0
        let sessionID = try record.session.map(nameID) ?? 0
        // Stored only where it differs from the provider: 0 means "priced as itself".
        let pricingProvider = record.pricingProvider ?? pricing?.pricingProvider(for: record.provider)
        let pricingProviderID = try pricingProvider.flatMap { $0 == record.provider ? nil : $0 }.map(nameID) ?? 0
        let usage = record.usage
        let timestamp = record.epochMilliseconds
        let keys = known ?? keys(of: record)
        let sortedTags = keys.sortedTags
        let dedupeKey = keys.dedupeKey
        let values: [SQLValue] = [
            .integer(timestamp), .integer(providerID), .integer(modelID), .integer(agentID), .integer(sessionID),
            .integer(Int64(record.status.storedValue)),
            .integer(usage.inputTokens), .integer(usage.outputTokens), .integer(usage.cacheReadTokens),
            .integer(usage.cacheWrite5mTokens), .integer(usage.cacheWrite1hTokens), .integer(usage.reasoningTokens),
            .integer(usage.webSearchRequests), .integer(usage.webFetchRequests),
            .optional(cost?.nanoUSD), .integer(Int64(costOrigin.rawValue)), .optional(pricingEntry),
            .integer(record.usageSource == .estimated ? 1 : 0),
            .optional(record.estimatedUsage?.inputTokens), .optional(record.estimatedUsage?.outputTokens),
            .optional(record.estimatedCost?.nanoUSD), .optional(record.latencyMilliseconds),
            .optional(record.timeToFirstTokenMilliseconds), .optional(record.requestID),
            .integer(try tagSetID(sortedTags, canonical: keys.canonicalTags)), .blob(dedupeKey),
            .optional(record.heuristicEstimate?.rawTokens), .optional(record.heuristicEstimate?.factorPartsPerMillion),
            .integer(pricingProviderID),
        ]
        return PreparedCall(
            values: values, dedupeKey: dedupeKey, cost: cost, costOrigin: costOrigin, pricingEntry: pricingEntry,
            rollupKey: RollupKey(hour: floorDiv(timestamp, 3_600_000), providerID: providerID, modelID: modelID, agentID: agentID),
            sessionID: sessionID)
    }

    /// What identifies a call, computed once per call: its tags in key order, as the canonical
    /// JSON of its tag set (nil without tags), and its dedupe key.
    private struct RecordKeys {
        var sortedTags: [(key: String, value: String)]
        var canonicalTags: String?
        var dedupeKey: [UInt8]
    }

    private func keys(of record: CallRecord) -> RecordKeys {
        let sortedTags = record.tags.sorted { $0.key < $1.key }
        return RecordKeys(
            sortedTags: sortedTags, canonicalTags: sortedTags.isEmpty ? nil : TagsJSON.encode(sortedTags),
            dedupeKey: Self.bytes(DedupeKey.make(for: record, sortedTags: sortedTags, scratch: &keyScratch)))
    }

    /// Adds an inserted call to the pending rollups and the count.
    private func account(_ call: PreparedCall, _ record: CallRecord) {
        rollups.add(call.rollupKey, usage: record.usage, cost: call.cost, isError: record.status != .ok)
        sessionRollups.add(
            session: call.sessionID, time: record.epochMilliseconds, project: record.tags.isEmpty ? nil : record.tags["project"],
            usage: record.usage, cost: call.cost, isError: record.status != .ok)
        insertedCount += 1
    }

    private static func bytes(_ key: (UInt64, UInt64)) -> [UInt8] {
        var big = (key.0.bigEndian, key.1.bigEndian)
        return withUnsafeBytes(of: &big) { Array($0) }
    }

    /// Replaces the counts of the stored call with this dedupe key when `usage` is larger,
    /// moving the rollups with it. Returns whether it did.
    private func grow(
        dedupeKey: [UInt8], usage: Usage, cost: Money?, costOrigin: CostOrigin, pricingEntry: String?
    ) throws -> Bool {
        guard let row = try sql.firstRow("""
            SELECT id, ts_ms, provider_id, model_id, agent_id, status, input_tokens, output_tokens,
                cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens,
                web_search_requests, web_fetch_requests, cost_nano, session_id
            FROM calls WHERE dedupe_key = ?
            """, [.blob(dedupeKey)])
        else { return false }
        let stored = Usage(
            inputTokens: row.integer(6) ?? 0, outputTokens: row.integer(7) ?? 0, cacheReadTokens: row.integer(8) ?? 0,
            cacheWrite5mTokens: row.integer(9) ?? 0, cacheWrite1hTokens: row.integer(10) ?? 0, reasoningTokens: row.integer(11) ?? 0,
            webSearchRequests: row.integer(12) ?? 0, webFetchRequests: row.integer(13) ?? 0)
        guard usage.isLarger(than: stored) else { return false }
        try sql.execute("""
            UPDATE calls SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,
                cache_write_5m_tokens = ?, cache_write_1h_tokens = ?, reasoning_tokens = ?,
                web_search_requests = ?, web_fetch_requests = ?, cost_nano = ?, cost_origin = ?,
                pricing_entry = ?
            WHERE id = ?
            """, [
                .integer(usage.inputTokens), .integer(usage.outputTokens), .integer(usage.cacheReadTokens),
                .integer(usage.cacheWrite5mTokens), .integer(usage.cacheWrite1hTokens), .integer(usage.reasoningTokens),
                .integer(usage.webSearchRequests), .integer(usage.webFetchRequests),
                .optional(cost?.nanoUSD), .integer(Int64(costOrigin.rawValue)), .optional(pricingEntry), .integer(row.integer(0) ?? 0),
            ])
        let storedCost = row.integer(14).map(Money.init(nanoUSD:))
        let key = RollupKey(
            hour: floorDiv(row.integer(1) ?? 0, 3_600_000), providerID: row.integer(2) ?? 0, modelID: row.integer(3) ?? 0,
            agentID: row.integer(4) ?? 0)
        rollups.replace(key, usage: stored, cost: storedCost, with: usage, cost: cost)
        sessionRollups.replace(session: row.integer(15) ?? 0, usage: stored, cost: storedCost, with: usage, cost: cost)
        return true
    }

    /// Adds the pending sums to the rollup tables. Called once, before commit.
    ///
    /// On SQLite, one upsert per row (a statement costs microseconds). On a server, where each
    /// statement is a round trip, the three tables' upserts go as one statement (data-modifying
    /// `WITH` parts), in slices of at most `Self.rowsPerStatement` rows per table.
    func finish() throws {
        guard dialect == .postgres else {
            try rollups.flush(into: sql)
            try sessionRollups.flush(into: sql, dialect: dialect)
            return
        }
        let (hourly, daily) = rollups.take()
        let sessions = sessionRollups.take()
        var start = 0
        while start < max(hourly.count, daily.count, sessions.count) {
            var parts: [(sql: String, values: [SQLValue])] = []
            let hours = hourly.dropFirst(start).prefix(Self.rowsPerStatement)
            if !hours.isEmpty {
                parts.append((RollupAccumulator.upsertSQL(into: "rollup_hourly", timeColumn: "hour", rows: hours.count),
                              hours.flatMap { RollupAccumulator.values($0.key, $0.totals) }))
            }
            let days = daily.dropFirst(start).prefix(Self.rowsPerStatement)
            if !days.isEmpty {
                parts.append((RollupAccumulator.upsertSQL(into: "rollup_daily", timeColumn: "day", rows: days.count),
                              days.flatMap { RollupAccumulator.values($0.key, $0.totals) }))
            }
            let touched = sessions.dropFirst(start).prefix(Self.rowsPerStatement)
            if !touched.isEmpty {
                parts.append((SessionRollupAccumulator.upsertSQL(dialect, rows: touched.count),
                              touched.flatMap { SessionRollupAccumulator.values($0.session, $0.sums) }))
            }
            let last = parts.removeLast()
            let prefix = parts.enumerated().map { "part\($0.offset) AS (\($0.element.sql) RETURNING 1)" }
            // Sent without waiting: the commit that follows answers for it.
            try sql.executeDeferred(
                (prefix.isEmpty ? "" : "WITH " + prefix.joined(separator: ", ") + " ") + last.sql,
                parts.flatMap(\.values) + last.values)
            start += Self.rowsPerStatement
        }
    }

    /// Rows per table in one combined rollup statement: three tables of 17 values a row stay
    /// well under PostgreSQL's 65,535 parameters.
    static let rowsPerStatement = 1_000

    /// The id of a set of tags (0 for none), creating it and its members on first sight.
    private func tagSetID(_ sortedTags: [(key: String, value: String)], canonical known: String? = nil) throws -> Int64 {
        guard !sortedTags.isEmpty else { return 0 }
        let canonical = known ?? TagsJSON.encode(sortedTags)
        if let id = newTagSets[canonical] ?? knownTagSets[canonical] { return id }
        let id: Int64
        if let existing = try sql.firstRow("SELECT id FROM tag_sets WHERE tags = ?", [.text(canonical)])?.integer(0) {
            id = existing
        } else if let created = try sql.firstRow(
            "INSERT INTO tag_sets (tags) VALUES (?) ON CONFLICT (tags) DO NOTHING RETURNING id", [.text(canonical)])?.integer(0) {
            id = created
            for tag in sortedTags {
                try sql.execute(
                    "INSERT INTO tag_set_members (key, value, tag_set_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [.text(tag.key), .text(tag.value), .integer(id)])
            }
        } else {
            // Another host created it meanwhile (and its members with it).
            id = try sql.firstRow("SELECT id FROM tag_sets WHERE tags = ?", [.text(canonical)])?.integer(0) ?? 0
        }
        newTagSets[canonical] = id
        return id
    }

    /// Looks up the names of `records` that neither cache knows, and adds those the ledger lacks:
    /// three statements at most for a whole batch, where `nameID` takes one or two per name.
    /// New names are inserted in sorted order, so hosts adding the same ones cannot deadlock.
    private func resolveNames(_ records: [CallRecord]) throws {
        var wanted: Set<String> = []
        func want(_ name: String?) {
            if let name, newNames[name] == nil, knownNames[name] == nil { wanted.insert(name) }
        }
        for record in records {
            want(record.provider)
            want(record.model)
            want(record.agent)
            want(record.session)
            want(record.pricingProvider ?? pricing?.pricingProvider(for: record.provider))
        }
        guard !wanted.isEmpty else { return }
        let select = "SELECT name, id FROM names WHERE name = ANY(?)"
        let learn = { (row: SQLRow) in if let name = row.text(0), let id = row.integer(1) { self.newNames[name] = id } }
        try sql.forEachRow(select, [.array(.texts(wanted.sorted()))], learn)
        let missing = wanted.filter { newNames[$0] == nil }.sorted()
        guard !missing.isEmpty else { return }
        let list = SQLValue.array(.texts(missing))
        try sql.forEachRow(
            "INSERT INTO names (name) SELECT unnest(?) ON CONFLICT (name) DO NOTHING RETURNING name, id", [list], learn)
        // Names another host added meanwhile.
        if missing.contains(where: { newNames[$0] == nil }) { try sql.forEachRow(select, [list], learn) }
    }

    /// `resolveNames` for the batch's tag sets, with the members of those it creates.
    private func resolveTagSets(_ keys: [RecordKeys]) throws {
        var wanted: [String: [(key: String, value: String)]] = [:]
        for key in keys {
            guard let canonical = key.canonicalTags else { continue }
            if newTagSets[canonical] == nil && knownTagSets[canonical] == nil { wanted[canonical] = key.sortedTags }
        }
        guard !wanted.isEmpty else { return }
        let select = "SELECT tags, id FROM tag_sets WHERE tags = ANY(?)"
        let learn = { (row: SQLRow) in if let tags = row.text(0), let id = row.integer(1) { self.newTagSets[tags] = id } }
        try sql.forEachRow(select, [.array(.texts(wanted.keys.sorted()))], learn)
        let missing = wanted.keys.filter { newTagSets[$0] == nil }.sorted()
        guard !missing.isEmpty else { return }
        let list = SQLValue.array(.texts(missing))
        var created: [(tags: String, id: Int64)] = []
        try sql.forEachRow(
            "INSERT INTO tag_sets (tags) SELECT unnest(?) ON CONFLICT (tags) DO NOTHING RETURNING tags, id", [list]
        ) { row in
            learn(row)
            if let tags = row.text(0), let id = row.integer(1) { created.append((tags, id)) }
        }
        if !created.isEmpty {
            var keys: [String?] = []
            var values: [String?] = []
            var ids: [Int64?] = []
            for set in created {
                for tag in wanted[set.tags] ?? [] {
                    keys.append(tag.key)
                    values.append(tag.value)
                    ids.append(set.id)
                }
            }
            try sql.executeDeferred("""
                INSERT INTO tag_set_members (key, value, tag_set_id)
                SELECT * FROM unnest(?, ?, ?) ON CONFLICT DO NOTHING
                """, [.array(.texts(keys)), .array(.texts(values)), .array(.integers(ids))])
        }
        // Tag sets another host added meanwhile (with their members).
        if missing.contains(where: { newTagSets[$0] == nil }) { try sql.forEachRow(select, [list], learn) }
    }

    /// The id of `name` in the names table, added if new.
    func nameID(_ name: String) throws -> Int64 {
        if let id = newNames[name] ?? knownNames[name] { return id }
        let id: Int64
        if let existing = try sql.firstRow("SELECT id FROM names WHERE name = ?", [.text(name)])?.integer(0) {
            id = existing
        } else if let created = try sql.firstRow(
            "INSERT INTO names (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id", [.text(name)])?.integer(0) {
            id = created
        } else {
            id = try sql.firstRow("SELECT id FROM names WHERE name = ?", [.text(name)])?.integer(0) ?? 0
        }
        newNames[name] = id
        return id
    }
}

extension Ledger {
    /// Runs `body` with a write session in one transaction: everything it inserts lands
    /// together with its rollups, or nothing does (when `body` throws).
    public func write<T>(pricing: (any CallPricing)? = nil, _ body: (LedgerWriteSession) throws -> T) throws -> T {
        try inWriteSession(pricing: pricing, kind: .write) { session in try body(session) }
    }

    /// Runs `body` with a write session in a transaction of `kind` (`.budgets` for reads that
    /// must not change before the writes), finishes the session's rollups, and teaches the
    /// shared id caches the names and tag sets that committed.
    func inWriteSession<T>(
        pricing: (any CallPricing)?, kind: LedgerTransaction, _ body: (LedgerWriteSession) throws -> T
    ) throws -> T {
        var committedNames: [String: Int64] = [:]
        var committedTagSets: [String: Int64] = [:]
        let dialect = dialect
        let result = try transaction(kind) { sql -> T in
            let session = LedgerWriteSession(
                sql: sql, dialect: dialect, pricing: pricing, knownNames: self.knownNames, knownTagSets: self.knownTagSets)
            let result = try body(session)
            try session.finish()
            committedNames = session.newNames
            committedTagSets = session.newTagSets
            return result
        }
        knownNames.learn(committedNames)
        knownTagSets.learn(committedTagSets)
        return result
    }

    /// Records one call. Returns `.duplicate` (and changes nothing) if the ledger has it.
    ///
    /// On a server, in one round trip: the call and its rollups are one statement, sent with
    /// `BEGIN` and `COMMIT` without waiting between them (see `submitRecordCall`).
    @discardableResult
    public func record(_ record: CallRecord, pricing: (any CallPricing)? = nil) throws -> WriteOutcome {
        guard dialect == .postgres else { return try write(pricing: pricing) { try $0.insert(record) } }
        let answer = try inWriteSession(pricing: pricing, kind: .write) { session in try session.submitRecordCall(record) }
        return try answer.rows().first?.integer(0) == 1 ? .inserted : .duplicate
    }
}

/// Where a stored cost came from.
enum CostOrigin: Int {
    case unpriced = 0
    /// Given by whoever recorded the call (a provider-reported cost, an imported cost).
    case given = 1
    /// Computed from the pricing table; `reprice` may recompute it.
    case table = 2
}

extension CallStatus {
    var storedValue: Int {
        switch self {
        case .ok: 0
        case .error: 1
        case .cancelled: 2
        }
    }

    init(storedValue: Int64) {
        switch storedValue {
        case 1: self = .error
        case 2: self = .cancelled
        default: self = .ok
        }
    }
}

/// Tags as a canonical JSON object (sorted keys), the form stored and exported.
enum TagsJSON {
    static func encode(_ tags: [String: String]) -> String {
        encode(tags.sorted { $0.key < $1.key })
    }

    static func encode(_ sortedTags: [(key: String, value: String)]) -> String {
        var json = JSONWriter()
        json.raw("{")
        for (offset, tag) in sortedTags.enumerated() {
            if offset > 0 { json.raw(",") }
            json.string(tag.key)
            json.raw(":")
            json.string(tag.value)
        }
        json.raw("}")
        return json.text
    }

    static func decode(_ text: String) -> [String: String] {
        var tags: [String: String] = [:]
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            var scanner = JSONScanner(UnsafeBufferPointer(buffer))
            try? scanner.readObject { scanner, key, _ in
                if case .string(let value) = try scanner.readScalar() {
                    tags[String(decoding: key, as: UTF8.self)] = value
                }
            }
        }
        return tags
    }
}

/// Ids of names or tag sets committed to the ledger, shared by its write transactions. Ids never
/// change once committed (nothing is deleted), so a cached id stays right even when other
/// processes write too; a transaction's new entries join only after it commits, so a rollback
/// cannot leave an id behind that the file does not have.
final class IDCache: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: Int64] = [:]
    /// Bounds memory in long-lived processes that see many sessions.
    private let limit = 200_000

    subscript(name: String) -> Int64? {
        lock.lock()
        defer { lock.unlock() }
        return ids[name]
    }

    func learn(_ names: [String: Int64]) {
        guard !names.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        if ids.count + names.count > limit { ids.removeAll(keepingCapacity: true) }
        if names.count <= limit {
            ids.merge(names) { _, new in new }
        } else {
            // One transaction met more names than the cache holds (an import of many sessions).
            for (name, id) in names.prefix(limit) { ids[name] = id }
        }
    }
}
