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
/// Holds prepared statements, a name cache and the pending rollup sums for the transaction;
/// `finish()` adds the sums to `rollup_hourly` before commit. Created only by the ledger's
/// `write(pricing:_:)`, never kept past it.
public final class LedgerWriteSession {
    private let db: Database
    private let pricing: (any CallPricing)?
    private let knownNames: IDCache
    private let knownTagSets: IDCache
    private let insertCall: RawStatement
    private let lookupName: RawStatement
    private let insertName: RawStatement
    private let lookupTagSet: RawStatement
    private let insertTagSet: RawStatement
    private let insertTagMember: RawStatement
    /// The transaction's connection, for writes of other tables in the same transaction.
    var database: Database { db }
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
    private var findStored: RawStatement?
    private var growStored: RawStatement?

    init(db: Database, pricing: (any CallPricing)?, knownNames: IDCache, knownTagSets: IDCache) throws {
        self.db = db
        self.pricing = pricing
        self.knownNames = knownNames
        self.knownTagSets = knownTagSets
        insertCall = try RawStatement(db, """
            INSERT INTO calls (ts_ms, provider_id, model_id, agent_id, session_id, status,
                input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
                cache_write_1h_tokens, reasoning_tokens, web_search_requests, web_fetch_requests,
                cost_nano, cost_origin, pricing_entry, usage_estimated, est_input_tokens,
                est_output_tokens, est_cost_nano, latency_ms, ttft_ms, request_id, tag_set_id, dedupe_key,
                est_input_raw, est_correction_ppm, pricing_provider_id)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(dedupe_key) DO NOTHING
            """)
        lookupTagSet = try RawStatement(db, "SELECT id FROM tag_sets WHERE tags = ?")
        insertTagSet = try RawStatement(db, "INSERT INTO tag_sets (tags) VALUES (?)")
        insertTagMember = try RawStatement(db, "INSERT OR IGNORE INTO tag_set_members (key, value, tag_set_id) VALUES (?, ?, ?)")
        lookupName = try RawStatement(db, "SELECT id FROM names WHERE name = ?")
        insertName = try RawStatement(db, "INSERT INTO names (name) VALUES (?)")
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

        let statement = insertCall
        statement.bind(1, timestamp)
        statement.bind(2, providerID)
        statement.bind(3, modelID)
        statement.bind(4, agentID)
        statement.bind(5, sessionID)
        statement.bind(6, Int64(record.status.storedValue))
        statement.bind(7, usage.inputTokens)
        statement.bind(8, usage.outputTokens)
        statement.bind(9, usage.cacheReadTokens)
        statement.bind(10, usage.cacheWrite5mTokens)
        statement.bind(11, usage.cacheWrite1hTokens)
        statement.bind(12, usage.reasoningTokens)
        statement.bind(13, usage.webSearchRequests)
        statement.bind(14, usage.webFetchRequests)
        statement.bind(15, cost?.nanoUSD)
        statement.bind(16, Int64(costOrigin.rawValue))
        statement.bind(17, pricingEntry)
        statement.bind(18, record.usageSource == .estimated ? 1 : 0)
        statement.bind(19, record.estimatedUsage?.inputTokens)
        statement.bind(20, record.estimatedUsage?.outputTokens)
        statement.bind(21, record.estimatedCost?.nanoUSD)
        statement.bind(22, record.latencyMilliseconds)
        statement.bind(23, record.timeToFirstTokenMilliseconds)
        statement.bind(24, record.requestID)
        let sortedTags = record.tags.sorted { $0.key < $1.key }
        statement.bind(25, try tagSetID(sortedTags))
        statement.bindBlob(26, DedupeKey.make(for: record, sortedTags: sortedTags, scratch: &keyScratch))
        statement.bind(27, record.heuristicEstimate?.rawTokens)
        statement.bind(28, record.heuristicEstimate?.factorPartsPerMillion)
        statement.bind(29, pricingProviderID)
        guard try statement.run() == 1 else {
            if keepLarger, try grow(record, usage: usage, cost: cost, costOrigin: costOrigin, pricingEntry: pricingEntry) {
                grownCount += 1
                return .grown
            }
            duplicateCount += 1
            return .duplicate
        }
        rollups.add(
            RollupKey(hour: floorDiv(timestamp, 3_600_000), providerID: providerID, modelID: modelID, agentID: agentID),
            usage: usage, cost: cost, isError: record.status != .ok)
        sessionRollups.add(
            session: sessionID, time: timestamp, project: record.tags.isEmpty ? nil : record.tags["project"], usage: usage,
            cost: cost, isError: record.status != .ok)
        insertedCount += 1
        return .inserted
    }

    /// Replaces the counts of the stored call with `record`'s dedupe key when `usage` is larger,
    /// moving the rollups with it. Returns whether it did.
    private func grow(
        _ record: CallRecord, usage: Usage, cost: Money?, costOrigin: CostOrigin, pricingEntry: String?
    ) throws -> Bool {
        let find = try findStored ?? RawStatement(db, """
            SELECT id, ts_ms, provider_id, model_id, agent_id, status, input_tokens, output_tokens,
                cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens,
                web_search_requests, web_fetch_requests, cost_nano, session_id
            FROM calls WHERE dedupe_key = ?
            """)
        findStored = find
        let sortedTags = record.tags.sorted { $0.key < $1.key }
        find.bindBlob(1, DedupeKey.make(for: record, sortedTags: sortedTags, scratch: &keyScratch))
        guard let row = try find.firstRow(columns: 16) else { return false }
        let stored = Usage(
            inputTokens: row[6] ?? 0, outputTokens: row[7] ?? 0, cacheReadTokens: row[8] ?? 0,
            cacheWrite5mTokens: row[9] ?? 0, cacheWrite1hTokens: row[10] ?? 0, reasoningTokens: row[11] ?? 0,
            webSearchRequests: row[12] ?? 0, webFetchRequests: row[13] ?? 0)
        guard usage.isLarger(than: stored) else { return false }
        let update = try growStored ?? RawStatement(db, """
            UPDATE calls SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,
                cache_write_5m_tokens = ?, cache_write_1h_tokens = ?, reasoning_tokens = ?,
                web_search_requests = ?, web_fetch_requests = ?, cost_nano = ?, cost_origin = ?,
                pricing_entry = ?
            WHERE id = ?
            """)
        growStored = update
        let counts = [
            usage.inputTokens, usage.outputTokens, usage.cacheReadTokens, usage.cacheWrite5mTokens,
            usage.cacheWrite1hTokens, usage.reasoningTokens, usage.webSearchRequests, usage.webFetchRequests,
        ]
        for (index, count) in counts.enumerated() { update.bind(Int32(index + 1), count) }
        update.bind(9, cost?.nanoUSD)
        update.bind(10, Int64(costOrigin.rawValue))
        update.bind(11, pricingEntry)
        update.bind(12, row[0] ?? 0)
        try update.run()
        let key = RollupKey(hour: floorDiv(row[1] ?? 0, 3_600_000), providerID: row[2] ?? 0, modelID: row[3] ?? 0, agentID: row[4] ?? 0)
        rollups.replace(key, usage: stored, cost: row[14].map(Money.init(nanoUSD:)), with: usage, cost: cost)
        sessionRollups.replace(session: row[15] ?? 0, usage: stored, cost: row[14].map(Money.init(nanoUSD:)), with: usage, cost: cost)
        return true
    }

    /// Adds the pending sums to the rollup table. Called once, before commit.
    func finish() throws {
        try rollups.flush(into: db)
        try sessionRollups.flush(into: db)
    }

    /// The id of a set of tags (0 for none), creating it and its members on first sight.
    private func tagSetID(_ sortedTags: [(key: String, value: String)]) throws -> Int64 {
        guard !sortedTags.isEmpty else { return 0 }
        let canonical = TagsJSON.encode(sortedTags)
        if let id = newTagSets[canonical] ?? knownTagSets[canonical] { return id }
        lookupTagSet.bind(1, canonical)
        let id: Int64
        if let existing = try lookupTagSet.firstInteger() {
            id = existing
        } else {
            insertTagSet.bind(1, canonical)
            try insertTagSet.run()
            id = insertTagSet.lastInsertedRowID
            for tag in sortedTags {
                insertTagMember.bind(1, tag.key)
                insertTagMember.bind(2, tag.value)
                insertTagMember.bind(3, id)
                try insertTagMember.run()
            }
        }
        newTagSets[canonical] = id
        return id
    }

    private func nameID(_ name: String) throws -> Int64 {
        if let id = newNames[name] ?? knownNames[name] { return id }
        lookupName.bind(1, name)
        let id: Int64
        if let existing = try lookupName.firstInteger() {
            id = existing
        } else {
            insertName.bind(1, name)
            try insertName.run()
            id = insertName.lastInsertedRowID
        }
        newNames[name] = id
        return id
    }
}

extension Ledger {
    /// Runs `body` with a write session in one transaction: everything it inserts lands
    /// together with its rollups, or nothing does (when `body` throws).
    public func write<T>(pricing: (any CallPricing)? = nil, _ body: (LedgerWriteSession) throws -> T) throws -> T {
        try inWriteSession(pricing: pricing, immediate: false) { session, _ in try body(session) }
    }

    /// Runs `body` with a write session in a transaction (`BEGIN IMMEDIATE` when `immediate`, for
    /// reads that must not change before the writes), finishes the session's rollups, and
    /// teaches the shared id caches the names and tag sets that committed.
    func inWriteSession<T>(
        pricing: (any CallPricing)?, immediate: Bool, _ body: (LedgerWriteSession, Database) throws -> T
    ) throws -> T {
        var committedNames: [String: Int64] = [:]
        var committedTagSets: [String: Int64] = [:]
        let run = { (db: Database) throws -> T in
            let session = try LedgerWriteSession(db: db, pricing: pricing, knownNames: self.knownNames, knownTagSets: self.knownTagSets)
            let result = try body(session, db)
            try session.finish()
            committedNames = session.newNames
            committedTagSets = session.newTagSets
            return result
        }
        do {
            let result = immediate ? try immediateTransaction(run) : try write(run)
            knownNames.learn(committedNames)
            knownTagSets.learn(committedTagSets)
            return result
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Records one call. Returns `.duplicate` (and changes nothing) if the ledger has it.
    @discardableResult
    public func record(_ record: CallRecord, pricing: (any CallPricing)? = nil) throws -> WriteOutcome {
        try write(pricing: pricing) { try $0.insert(record) }
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

/// `floorDiv` in SQL (SQLite's `/` truncates toward zero): raw-row buckets must match the
/// rollups' for times before 1970 too.
func floorDivSQL(_ column: String, _ divisor: Int64) -> String {
    "(\(column) / \(divisor) - (\(column) % \(divisor) < 0))"
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
