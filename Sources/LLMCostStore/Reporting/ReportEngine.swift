import Foundation
import LLMCostCore

extension Ledger {
    /// Computes a report. Whole UTC days come from the daily rollups and whole hours from the
    /// hourly ones; only the partial hours at the window's edges, session and tag groupings,
    /// tag filters and zones whose offset is not a whole number of hours read raw rows. Every
    /// path gives the same exact sums (tests prove it): the choice is only about speed.
    ///
    /// Grouped by `session`, each row also carries its first and last call and its project
    /// (see `ReportRow`). `block` is not a grouping of this report: it throws
    /// `ReportQueryError` (use `blockReport(_:)`).
    public func report(_ query: ReportQuery) throws -> Report {
        try query.validate()
        if query.groupBy.contains(.block) { throw ReportQueryError.blockInGroupedReport }
        let dialect = dialect
        return try transaction(.read) { sql in try ReportEngine(sql: sql, dialect: dialect, query: query).run() }
    }
}

private let millisecondsPerHour: Int64 = 3_600_000
private let millisecondsPerDay: Int64 = 86_400_000
private let millisecondsPerQuarterHour: Int64 = 900_000

/// Where a piece of the window is summed from.
enum SumSource: Equatable {
    case raw, hourly, daily
}

/// A piece of a report window, `[from, to)` in ms (`nil`: unbounded), and its source.
struct WindowPiece: Equatable {
    var source: SumSource
    var from: Int64?
    var to: Int64?
}

/// Splits `[since, until)` into pieces, each read from the coarsest source that covers it
/// exactly: raw rows for partial hours at the edges, hourly rollups for partial days, daily
/// rollups (when `allowDays`) for whole UTC days.
func windowPieces(since: Int64?, until: Int64?, allowDays: Bool) -> [WindowPiece] {
    let firstHour = since.map { ceilDiv($0, millisecondsPerHour) * millisecondsPerHour }
    let lastHour = until.map { floorDiv($0, millisecondsPerHour) * millisecondsPerHour }
    if let firstHour, let lastHour, firstHour >= lastHour {
        return [WindowPiece(source: .raw, from: since, to: until)]
    }
    var pieces: [WindowPiece] = []
    if let since, let firstHour, since < firstHour { pieces.append(WindowPiece(source: .raw, from: since, to: firstHour)) }
    let firstDay = firstHour.map { ceilDiv($0, millisecondsPerDay) * millisecondsPerDay }
    let lastDay = lastHour.map { floorDiv($0, millisecondsPerDay) * millisecondsPerDay }
    let noWholeDay = firstDay.flatMap { first in lastDay.map { first >= $0 } } ?? false
    if allowDays, !noWholeDay {
        if let firstHour, let firstDay, firstHour < firstDay { pieces.append(WindowPiece(source: .hourly, from: firstHour, to: firstDay)) }
        pieces.append(WindowPiece(source: .daily, from: firstDay, to: lastDay))
        if let lastHour, let lastDay, lastDay < lastHour { pieces.append(WindowPiece(source: .hourly, from: lastDay, to: lastHour)) }
    } else {
        pieces.append(WindowPiece(source: .hourly, from: firstHour, to: lastHour))
    }
    if let until, let lastHour, lastHour < until { pieces.append(WindowPiece(source: .raw, from: lastHour, to: until)) }
    return pieces
}

struct ReportEngine {
    let sql: any LedgerSQL
    let dialect: SQLDialect
    let query: ReportQuery

    /// A group key while summing: names resolved, time still a bucket start in ms.
    struct PartialKey: Hashable {
        var names: [String?]
        var bucketStart: Int64?
    }

    /// A group's sums, and with session grouping its activity.
    struct GroupSums {
        var totals = CallTotals()
        var activity: SessionActivity?

        static func += (lhs: inout GroupSums, rhs: GroupSums) {
            lhs.totals += rhs.totals
            if let other = rhs.activity {
                if lhs.activity == nil { lhs.activity = other } else { lhs.activity?.merge(other) }
            }
        }
    }

    /// First and last call of a group, and the project of its latest call tagged with one.
    struct SessionActivity: Equatable {
        var firstCall: Int64
        var lastCall: Int64
        var project: String?
        /// When `project` was last seen (the latest call carrying it).
        var projectSeen: Int64

        mutating func merge(_ other: SessionActivity) {
            firstCall = min(firstCall, other.firstCall)
            lastCall = max(lastCall, other.lastCall)
            guard let candidate = other.project else { return }
            // The latest wins; two projects seen in the same millisecond: the greater name, so
            // the result never depends on the order groups come back in.
            if project == nil || other.projectSeen > projectSeen
                || (other.projectSeen == projectSeen && candidate > (project ?? "")) {
                project = candidate
                projectSeen = other.projectSeen
            }
        }
    }

    /// Whether rows carry first/last call and project: with session grouping, which always
    /// reads raw rows (sessions are not in the rollups).
    var tracksSessionActivity: Bool { query.groupBy.contains(.session) }

    func run() throws -> Report {
        let hasTime = query.groupBy.contains { $0.isTime }
        let wholeHourZone = !hasTime || offsets(of: query.timeZone, areMultiplesOf: 3600, from: query.since, to: query.until)
        // Days in the daily rollups are UTC days: fine for any zone without time grouping,
        // and for time grouping only in a zone that is UTC throughout the window.
        // Hours need the hourly rollups throughout.
        let utcDays = !hasTime || !query.groupBy.contains(.hour)
            && offsets(of: query.timeZone, areMultiplesOf: 86_400, from: query.since, to: query.until)
        let rollupsUsable = query.groupBy.allSatisfy(\.isInRollups) && query.tags.isEmpty && wholeHourZone
            && !query.forceRawRows
        var sums: [PartialKey: GroupSums] = [:]
        if sessionRollupsUsable { return try runFromSessionRollups() }
        guard rollupsUsable && !tracksSessionActivity else {
            let bucket = wholeHourZone ? millisecondsPerHour : millisecondsPerQuarterHour
            try sumRaw(from: query.since, to: query.until, bucket: bucket, into: &sums)
            return try finish(sums, plan: "raw")
        }
        let pieces = windowPieces(since: query.since, until: query.until, allowDays: utcDays)
        for piece in pieces {
            switch piece.source {
            case .raw: try sumRaw(from: piece.from, to: piece.to, bucket: millisecondsPerHour, into: &sums)
            case .hourly: try sumRollups("rollup_hourly", timeColumn: "hour", unit: millisecondsPerHour, piece: piece, into: &sums)
            case .daily: try sumRollups("rollup_daily", timeColumn: "day", unit: millisecondsPerDay, piece: piece, into: &sums)
            }
        }
        let plan = pieces.map { "\($0.source)" }.joined(separator: "+")
        return try finish(sums, plan: plan)
    }

    /// The calls of the window (and filters) priced from the LiteLLM map snapshot: a count over
    /// the partial index of those calls (`calls_priced_from_map`), so it reads only them.
    private func countMapPricedCalls() throws -> Int64 {
        try Self.countMapPricedCalls(sql, dialect, query: query, from: query.since, to: query.until)
    }

    /// The calls of `[from, to)` under the query's filters priced from the LiteLLM map.
    static func countMapPricedCalls(
        _ sql: any LedgerSQL, _ dialect: SQLDialect, query: ReportQuery, from: Int64?, to: Int64?
    ) throws -> Int64 {
        var (conditions, arguments) = query.rawConditions(from: from, to: to)
        conditions.insert(LedgerSchema.mapPricedCondition, at: 0)
        let statement = "SELECT COUNT(*) FROM calls \(dialect.indexedBy("calls_priced_from_map")) WHERE "
            + conditions.joined(separator: " AND ")
        return try sql.firstRow(statement, arguments)?.integer(0) ?? 0
    }

    // MARK: - SQL

    /// The measures, in the order `totals(_:at:)` reads them.
    static let rollupMeasures = RollupColumns.measures.map { "SUM(\($0))" }
    static let rawMeasures = RollupColumns.rawSums

    private func sumRollups(
        _ table: String, timeColumn: String, unit: Int64, piece: WindowPiece, into sums: inout [PartialKey: GroupSums]
    ) throws {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let from = piece.from { conditions.append("\(timeColumn) >= ?"); arguments.append(.integer(from / unit)) }
        if let to = piece.to { conditions.append("\(timeColumn) < ?"); arguments.append(.integer(to / unit)) }
        query.addNameFilters(to: &conditions, arguments: &arguments)
        try runGrouped(
            table: table, measures: Self.rollupMeasures, timeExpression: timeColumn,
            bucketMilliseconds: unit, conditions: conditions, arguments: arguments, into: &sums)
    }

    /// Sums raw rows of `[from, to)` under the query's filters and `extraConditions`.
    func sumRaw(
        from: Int64?, to: Int64?, bucket: Int64, extraConditions: [String] = [], extraArguments: [SQLValue] = [],
        into sums: inout [PartialKey: GroupSums]
    ) throws {
        var (conditions, arguments) = query.rawConditions(from: from, to: to)
        conditions += extraConditions
        arguments += extraArguments
        // Session activity: first and last call, in the same scan as the sums.
        let activityMeasures = tracksSessionActivity ? ["MIN(ts_ms)", "MAX(ts_ms)"] : []
        try runGrouped(
            table: "calls", measures: Self.rawMeasures + activityMeasures, timeExpression: dialect.floorDiv("ts_ms", bucket),
            bucketMilliseconds: bucket, conditions: conditions, arguments: arguments,
            sessionActivity: tracksSessionActivity, into: &sums)
    }

    /// Reads the measures (in the order of `rawMeasures` and `rollupMeasures`) from `row`,
    /// starting at column `base`.
    static func totals(_ row: SQLRow, at base: Int) -> CallTotals {
        func value(_ offset: Int) -> Int64 { row.integer(base + offset) ?? 0 }
        var totals = CallTotals()
        totals.calls = value(0)
        totals.usage = Usage(
            inputTokens: value(1), outputTokens: value(2), cacheReadTokens: value(3), cacheWrite5mTokens: value(4),
            cacheWrite1hTokens: value(5), reasoningTokens: value(6), webSearchRequests: value(7), webFetchRequests: value(8))
        totals.cost = Money(nanoUSD: value(9))
        totals.unpricedCalls = value(10)
        totals.errorCalls = value(11)
        return totals
    }

    /// Groups `table` by the query's dimensions in SQL (names and tag sets as integer ids),
    /// joins names and tag sets onto the (few) groups, and adds each group into `sums`.
    ///
    /// With `sessionActivity` (raw rows only; `measures` end with `MIN(ts_ms)`, `MAX(ts_ms)`),
    /// a second grouped query finds each group's latest call per tag set with a `project` tag
    /// (a session has a handful: its project, branch, log file), which says the project the
    /// session was in last. Splitting the main grouping by tag set instead would hand every
    /// call with a tag set of its own to Swift (4x the time of the plain GROUP BY on 300k calls).
    private func runGrouped(
        table: String, measures: [String], timeExpression: String, bucketMilliseconds: Int64,
        conditions: [String], arguments: [SQLValue], sessionActivity: Bool = false,
        into sums: inout [PartialKey: GroupSums]
    ) throws {
        var innerColumns: [String] = []
        var groupAliases: [String] = []
        var outerColumns: [String] = []
        var joins: [String] = []
        var tagKeys: [Int: String] = [:]  // position among the name columns -> tag key
        var nameCount = 0
        for (index, dimension) in query.groupBy.enumerated() where !dimension.isTime {
            switch dimension {
            case .provider, .model, .agent, .session, .pricingProvider:
                let column = dimension == .pricingProvider
                    ? "CASE pricing_provider_id WHEN 0 THEN provider_id ELSE pricing_provider_id END" : "\(dimension)_id"
                innerColumns.append("\(column) AS d\(index)")
                groupAliases.append("d\(index)")
                joins.append("LEFT JOIN names n\(index) ON n\(index).id = g.d\(index)")
                outerColumns.append("n\(index).name")
            case .tag(let key):
                if !groupAliases.contains("dts") {
                    innerColumns.append("tag_set_id AS dts")
                    groupAliases.append("dts")
                    joins.append("LEFT JOIN tag_sets ts ON ts.id = g.dts")
                }
                tagKeys[nameCount] = key
                outerColumns.append("ts.tags")
            case .hour, .day, .week, .month, .block:
                break
            }
            nameCount += 1
        }
        let hasTime = query.groupBy.contains { $0.isTime }
        if hasTime {
            innerColumns.append("\(timeExpression) AS tb")
            groupAliases.append("tb")
            outerColumns.append("g.tb")
        }
        let groupBy = groupAliases.isEmpty ? "" : "GROUP BY " + groupAliases.joined(separator: ", ")
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let measureColumns = measures.indices.map { "g.m\($0)" }
        let innerMeasureList = measures.enumerated().map { "\($1) AS m\($0)" }
        // With session activity the group's own ids close the row: the key of its project.
        let groupIDColumns = sessionActivity ? groupAliases.map { "g.\($0)" } : []
        let statement = """
            SELECT \((outerColumns + measureColumns + groupIDColumns).joined(separator: ", "))
            FROM (SELECT \((innerColumns + innerMeasureList).joined(separator: ", "))
                  FROM \(table) \(whereClause) \(groupBy)) g
            \(joins.joined(separator: " "))
            """
        var decodedTagSets: [String: [String: String]] = [:]
        var projects: [[Int64?]: (project: String, seen: Int64)] = [:]
        if sessionActivity {
            let projectConditions = conditions + ["tag_set_id IN (SELECT tag_set_id FROM tag_set_members WHERE key = 'project')"]
            let projectSQL = """
                SELECT \((groupAliases.map { "g.\($0)" } + ["ts.tags", "g.seen"]).joined(separator: ", "))
                FROM (SELECT \((innerColumns + ["tag_set_id AS pts", "MAX(ts_ms) AS seen"]).joined(separator: ", "))
                      FROM \(table) WHERE \(projectConditions.joined(separator: " AND "))
                      GROUP BY \((groupAliases + ["pts"]).joined(separator: ", "))) g
                JOIN tag_sets ts ON ts.id = g.pts
                """
            try sql.forEachRow(projectSQL, arguments) { row in
                let ids: [Int64?] = groupAliases.indices.map { row.integer($0) }
                let text = row.text(groupAliases.count) ?? ""
                if decodedTagSets[text] == nil { decodedTagSets[text] = TagsJSON.decode(text) }
                guard let project = decodedTagSets[text]?["project"] else { return }
                let seen = row.integer(groupAliases.count + 1) ?? 0
                // The latest wins; two projects seen in the same millisecond: the greater name,
                // so the result never depends on the order rows come back in.
                if let known = projects[ids], known.seen > seen || (known.seen == seen && known.project >= project) { return }
                projects[ids] = (project, seen)
            }
        }
        try sql.forEachRow(statement, arguments) { row in
            var names: [String?] = []
            names.reserveCapacity(nameCount)
            for column in 0..<nameCount {
                let text = row.text(column)
                if let key = tagKeys[column] {
                    guard let text else {
                        names.append(nil)
                        continue
                    }
                    if decodedTagSets[text] == nil { decodedTagSets[text] = TagsJSON.decode(text) }
                    names.append(decodedTagSets[text]?[key])
                } else {
                    names.append(text)
                }
            }
            let bucketStart: Int64? = hasTime ? (row.integer(nameCount) ?? 0) * bucketMilliseconds : nil
            let base = nameCount + (hasTime ? 1 : 0)
            var group = GroupSums(totals: Self.totals(row, at: base))
            guard group.totals.calls != 0 else { return }
            if sessionActivity {
                let first = row.integer(base + 12) ?? 0
                let last = row.integer(base + 13) ?? 0
                let ids: [Int64?] = groupAliases.indices.map { row.integer(base + measures.count + $0) }
                let project = projects[ids]
                group.activity = SessionActivity(
                    firstCall: first, lastCall: last, project: project?.project, projectSeen: project?.seen ?? last)
            }
            sums[PartialKey(names: names, bucketStart: bucketStart), default: GroupSums()] += group
        }
    }

    // MARK: - Time buckets

    /// The report from the groups' sums: keys labelled, rows ordered and (with `query.limit`)
    /// cut, the total from `total` when given (a limited read has not seen every row), else
    /// the sum of the rows.
    func finish(_ sums: [PartialKey: GroupSums], plan: String, total knownTotal: CallTotals? = nil) throws -> Report {
        func row(_ key: [String?], _ group: GroupSums) -> ReportRow {
            ReportRow(
                key: key, totals: group.totals, firstCall: group.activity?.firstCall,
                lastCall: group.activity?.lastCall, project: group.activity?.project)
        }
        // Without time, the names are the key already: no second dictionary (a report of
        // hundreds of thousands of sessions spent a fifth of its time re-hashing them).
        let unsorted: [ReportRow]
        if !query.groupBy.contains(where: \.isTime) {
            unsorted = sums.map { row($0.key.names, $0.value) }
        } else {
            unsorted = labelled(sums).map(row)
        }
        var total = CallTotals()
        for row in unsorted { total += row.totals }
        if let knownTotal { total = knownTotal }
        return try ordered(unsorted, total: total, plan: plan)
    }

    /// The groups keyed by their labels: buckets that label alike (the hour repeated when
    /// clocks go back) merged.
    private func labelled(_ sums: [PartialKey: GroupSums]) -> [[String?]: GroupSums] {
        var labeler = TimeBucketLabeler(timeZone: query.timeZone)
        var merged: [[String?]: GroupSums] = [:]
        for (partial, group) in sums {
            var key: [String?] = []
            var nameIndex = 0
            for dimension in query.groupBy {
                if dimension.isTime {
                    key.append(partial.bucketStart.map { labeler.label(for: $0, dimension: dimension) })
                } else {
                    key.append(partial.names[nameIndex])
                    nameIndex += 1
                }
            }
            merged[key, default: GroupSums()] += group
        }
        return merged
    }

    /// The report's rows in its order, cut to `query.limit`.
    private func ordered(_ unsorted: [ReportRow], total: CallTotals, plan: String) throws -> Report {
        // Time first (chronological), then cost (unknown last), calls, and the key. Indices are
        // sorted, not rows: comparing copies of rows retains their keys on every comparison,
        // which dominates for hundreds of thousands of sessions.
        let timeIndexes = query.groupBy.indices.filter { query.groupBy[$0].isTime }
        let unknown = unsorted.map(\.totals.costIsUnknown)
        let costs = unsorted.map(\.totals.cost.nanoUSD)
        let calls = unsorted.map(\.totals.calls)
        let order = unsorted.indices.sorted { left, right in
            for index in timeIndexes where unsorted[left].key[index] != unsorted[right].key[index] {
                return (unsorted[left].key[index] ?? "") < (unsorted[right].key[index] ?? "")
            }
            if unknown[left] != unknown[right] { return !unknown[left] }
            if costs[left] != costs[right] { return costs[left] > costs[right] }
            if calls[left] != calls[right] { return calls[left] > calls[right] }
            return unsorted[left].key.map { $0 ?? "\u{10FFFF}" }.lexicographicallyPrecedes(unsorted[right].key.map { $0 ?? "\u{10FFFF}" })
        }
        let rows = order.prefix(max(0, query.limit ?? order.count)).map { unsorted[$0] }
        let mapPriced = total.calls == 0 ? 0 : try countMapPricedCalls()
        return Report(query: query, rows: rows, total: total, plan: plan, mapPricedCalls: mapPriced)
    }
}

extension ReportQuery {
    /// The conditions selecting raw rows of `[from, to)` under the query's name and tag filters.
    func rawConditions(from: Int64?, to: Int64?) -> ([String], [SQLValue]) {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let from { conditions.append("ts_ms >= ?"); arguments.append(.integer(from)) }
        if let to { conditions.append("ts_ms < ?"); arguments.append(.integer(to)) }
        addNameFilters(to: &conditions, arguments: &arguments)
        // Filters on one key match any of their values; filters on different keys must all match.
        for (key, filters) in Dictionary(grouping: tags, by: \.key).sorted(by: { $0.key < $1.key }) {
            let values = Set(filters.map(\.value)).sorted()
            let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
            conditions.append("tag_set_id IN (SELECT tag_set_id FROM tag_set_members WHERE key = ? AND value IN (\(placeholders)))")
            arguments.append(.text(key))
            arguments += values.map(SQLValue.text)
        }
        return (conditions, arguments)
    }

    /// The provider, model and agent filters, as conditions on the name ids (rollups and raw
    /// rows both have them).
    func addNameFilters(to conditions: inout [String], arguments: inout [SQLValue]) {
        for (column, names) in [("provider_id", providers), ("model_id", models), ("agent_id", agents)]
        where !names.isEmpty {
            let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
            conditions.append("\(column) IN (SELECT id FROM names WHERE name IN (\(placeholders)))")
            arguments += names.map(SQLValue.text)
        }
    }
}

/// Labels a UTC instant with its hour (`2026-11-20 14:00`), calendar day (`2026-11-20`), ISO
/// week (the Monday it starts on, `2026-11-16`) or month (`2026-11`) in a time zone, caching
/// per bucket.
struct TimeBucketLabeler {
    let timeZone: TimeZone
    private var cache: [Int64: (year: Int, month: Int, day: Int, hour: Int, weekday: Int)] = [:]

    init(timeZone: TimeZone) { self.timeZone = timeZone }

    mutating func label(for milliseconds: Int64, dimension: ReportDimension) -> String {
        let date = localDate(milliseconds)
        switch dimension {
        case .month:
            return String(format: "%04d-%02d", date.year, date.month)
        case .hour:
            return String(format: "%04d-%02d-%02d %02d:00", date.year, date.month, date.day, date.hour)
        case .week:
            let days = Timestamp.daysFromCivil(year: date.year, month: date.month, day: date.day) - date.weekday
            let monday = Timestamp.civilFromDays(days)
            return String(format: "%04d-%02d-%02d", monday.year, monday.month, monday.day)
        default:
            return String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
        }
    }

    /// The local date and hour of an instant, and days since Monday (0...6).
    private mutating func localDate(_ milliseconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, weekday: Int) {
        if let cached = cache[milliseconds] { return cached }
        let seconds = floorDiv(milliseconds, 1000)
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let localDays = Int(floorDiv(seconds + offset, 86_400))
        let hour = Int(floorDiv(seconds + offset, 3600) - Int64(localDays) * 24)
        let civil = Timestamp.civilFromDays(localDays)
        // 1970-01-01 was a Thursday: days since Monday = (days + 3) mod 7.
        let weekday = ((localDays + 3) % 7 + 7) % 7
        let result = (civil.year, civil.month, civil.day, hour, weekday)
        cache[milliseconds] = result
        return result
    }
}

/// Whether `zone`'s offset from UTC is a multiple of `seconds` throughout the window: with
/// 3600, local days start on UTC hour boundaries and hourly rollups bucket exactly; with
/// 86400 (UTC itself), daily rollups do.
func offsets(of zone: TimeZone, areMultiplesOf seconds: Int, from: Int64?, to: Int64?) -> Bool {
    let start = Date(timeIntervalSince1970: TimeInterval(from.map { $0 / 1000 } ?? 0))
    let end = Date(timeIntervalSince1970: TimeInterval(to.map { $0 / 1000 } ?? Int64(Date().timeIntervalSince1970) + 366 * 86_400))
    guard zone.secondsFromGMT(for: start) % seconds == 0, zone.secondsFromGMT(for: end) % seconds == 0 else { return false }
    var cursor = start
    for _ in 0..<2000 {
        guard let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end else { return true }
        guard zone.secondsFromGMT(for: next) % seconds == 0 else { return false }
        cursor = next
    }
    return true
}

@inline(__always) func ceilDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
    -floorDiv(-value, divisor)
}

extension Ledger {
    /// The time of the first and last call in `[since, until)` (ms since 1970 UTC), ignoring
    /// other filters; `nil` when there is none. Two index lookups: what a report spanning the
    /// whole ledger uses to lay out its time axis.
    public func callTimeSpan(since: Int64? = nil, until: Int64? = nil) throws -> (first: Int64, last: Int64)? {
        let index = dialect.indexedBy("calls_by_time")
        return try transaction(.read) { sql in
            var conditions: [String] = []
            var arguments: [SQLValue] = []
            if let since { conditions.append("ts_ms >= ?"); arguments.append(.integer(since)) }
            if let until { conditions.append("ts_ms < ?"); arguments.append(.integer(until)) }
            let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let bound = { (function: String) throws -> Int64? in
                try sql.firstRow("SELECT \(function)(ts_ms) FROM calls \(index)" + whereClause, arguments)?.integer(0)
            }
            guard let first = try bound("MIN"), let last = try bound("MAX") else { return nil }
            return (first, last)
        }
    }
}
