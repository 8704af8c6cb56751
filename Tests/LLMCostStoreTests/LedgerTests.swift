import Foundation
import GRDB
import LLMCostCore
@testable import LLMCostPresentation
@testable import LLMCostStore
import LLMCostTestSupport
import Testing

@Suite struct LedgerWriteTests {
    @Test func recordsAreIdempotentOnRequestIDAndContent() throws {
        let temporary = try TemporaryLedger()
        var record = CallRecord(timestamp: Date(timeIntervalSince1970: 1_780_000_000), provider: "openai", model: "gpt-4o")
        record.usage = Usage(inputTokens: 100, outputTokens: 20)
        record.cost = Money(nanoUSD: 450_000)
        #expect(try temporary.ledger.record(record) == .inserted)
        #expect(try temporary.ledger.record(record) == .duplicate)  // same content, no request id

        record.requestID = "req-1"
        #expect(try temporary.ledger.record(record) == .inserted)
        var retried = record
        retried.usage.outputTokens = 999  // a retried record with other numbers: the first one wins
        #expect(try temporary.ledger.record(retried) == .duplicate)
        var otherProvider = record
        otherProvider.provider = "anthropic"  // request ids are unique per provider only
        #expect(try temporary.ledger.record(otherProvider) == .inserted)

        let report = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: []))
        #expect(report.total.calls == 3)
        #expect(report.total.usage.outputTokens == 60)
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
    }

    @Test func unpricedCallsAreCountedNeverZeroCost() throws {
        let temporary = try TemporaryLedger()
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        try temporary.ledger.record(CallRecord(timestamp: at, provider: "x", model: "unknown-model", usage: Usage(inputTokens: 5)))
        try temporary.ledger.record(CallRecord(timestamp: at, provider: "x", model: "known", requestID: "r", cost: Money(nanoUSD: 7)))
        let report = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [.model]))
        let unknown = try #require(report.rows.first { $0.key == ["unknown-model"] })
        #expect(unknown.totals.costIsUnknown)
        #expect(unknown.totals.unpricedCalls == 1)
        #expect(report.total.unpricedCalls == 1)
        #expect(report.total.cost == Money(nanoUSD: 7))
        #expect(!report.total.costIsUnknown)
        let json = ReportRenderer().json(report)
        #expect(json.contains("\"key\":{\"model\":\"unknown-model\"},\"calls\":1"))
        #expect(json.contains("\"cost_usd\":null"))
    }

    @Test func pricingFillsMissingCostsAndKnowsUnknownModels() throws {
        struct FlatPricing: CallPricing {
            func quote(for record: CallRecord) -> PriceQuote? {
                record.model == "priced" ? PriceQuote(cost: Money(nanoUSD: record.usage.inputTokens * 3), entryID: "test/priced@2026-01-01") : nil
            }
        }
        let temporary = try TemporaryLedger()
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        try temporary.ledger.write(pricing: FlatPricing()) { session in
            try session.insert(CallRecord(timestamp: at, provider: "p", model: "priced", requestID: "1", usage: Usage(inputTokens: 1000)))
            try session.insert(CallRecord(timestamp: at, provider: "p", model: "other", requestID: "2", usage: Usage(inputTokens: 1000)))
            try session.insert(CallRecord(timestamp: at, provider: "p", model: "priced", requestID: "3", usage: Usage(inputTokens: 1000), cost: Money(nanoUSD: 1)))
        }
        var exported: [CallRecord] = []
        try temporary.ledger.forEachCall { exported.append($0) }
        #expect(exported.map(\.cost) == [Money(nanoUSD: 3000), nil, Money(nanoUSD: 1)])
        #expect(exported[0].pricingEntry == "test/priced@2026-01-01")
        #expect(exported[2].pricingEntry == nil)
    }

    @Test func aFailedTransactionLeavesNothingBehind() throws {
        struct Boom: Error {}
        let temporary = try TemporaryLedger()
        var random = RandomCalls(state: 1)
        #expect(throws: Boom.self) {
            try temporary.ledger.write { session in
                for index in 0..<100 { try session.insert(random.record(index: index)) }
                throw Boom()
            }
        }
        #expect(try temporary.ledger.callCount() == 0)
        #expect(try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [])).total.calls == 0)
    }

    @Test func ledgerFileIsPrivateToItsOwner() throws {
        let temporary = try TemporaryLedger()
        let attributes = try FileManager.default.attributesOfItem(atPath: temporary.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

@Suite struct LedgerFailureTests {
    @Test func aFileThatIsNotADatabaseIsRejectedAndLeftAlone() throws {
        let folder = try temporaryFolder("corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: LedgerError.self) { try Ledger(path: path) }
        #expect(error.isCorrupt)
        #expect(error.description.contains(path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    /// Another program's SQLite file: our tables would corrupt its schema, so it is refused untouched.
    @Test(arguments: [0, 0x1234_5678])
    func anotherProgramsDatabaseIsRefusedAndLeftAlone(applicationID: Int32) throws {
        let folder = try temporaryFolder("foreign")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("notes.sqlite").path
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')")
            if applicationID != 0 { try db.execute(sql: "PRAGMA application_id = \(applicationID)") }
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = try #require(throws: LedgerError.self) { try Ledger(path: path) }
        #expect(error.isForeign)
        #expect(error.description.contains(path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "not even switched to WAL")
        #expect(throws: LedgerError.self) { try Ledger(path: path, options: Ledger.Options(readOnly: true)) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables == ["notes"])
    }

    /// A read-only open of a path with no file (a typo in `--db`) fails and creates nothing.
    @Test func aMissingLedgerIsNotCreatedWhenCreationIsOff() throws {
        let folder = try temporaryFolder("missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("typo/ledger.sqlite").path
        let error = try #require(throws: LedgerError.self) { try Ledger(path: path, options: Ledger.Options(createIfMissing: false)) }
        #expect(error.isMissing)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("typo").path))
    }

    /// Ledgers written before the application id existed are recognised by their tables and stamped.
    @Test func anUnstampedLedgerIsAdoptedAndStamped() throws {
        let temporary = try TemporaryLedger()
        var random = RandomCalls(state: 5)
        try temporary.ledger.record(random.record(index: 0))
        let stamp = { try DatabaseQueue(path: temporary.path).read { try Int32.fetchOne($0, sql: "PRAGMA application_id") } }
        #expect(try stamp() == LedgerSchema.applicationID)
        try DatabaseQueue(path: temporary.path).writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 0") }
        let reopened = try Ledger(path: temporary.path)
        #expect(try reopened.callCount() == 1)
        #expect(try stamp() == LedgerSchema.applicationID)
    }

    @Test func aWriterBlockedByAnotherConnectionFailsCleanlyThenSucceeds() throws {
        let temporary = try TemporaryLedger(options: Ledger.Options(busyTimeout: .milliseconds(200)))
        var random = RandomCalls(state: 9)
        try temporary.ledger.record(random.record(index: 0))
        // A second, independent connection (as another process would have) takes the write lock.
        var holdsLock = Configuration()
        holdsLock.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: temporary.path, configuration: holdsLock)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let blocked = random.record(index: 1)
        let error = try #require(throws: LedgerError.self) { try temporary.ledger.record(blocked) }
        #expect(error.isBusy)
        try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        #expect(try temporary.ledger.record(blocked) == .inserted)
        #expect(try temporary.ledger.callCount() == 2)
    }
}

@Suite struct RollupTests {
    /// Writes random calls in several transactions, duplicates included.
    func populate(_ ledger: Ledger, count: Int, seed: UInt64) throws -> [CallRecord] {
        var random = RandomCalls(state: seed)
        let records = (0..<count).map { random.record(index: $0) }
        for chunk in stride(from: 0, to: count, by: 250) {
            try ledger.write { session in
                for record in records[chunk..<min(chunk + 250, count)] { try session.insert(record) }
                // Replays of earlier calls must change nothing.
                for record in records[0..<min(20, chunk + 1)] { try session.insert(record) }
            }
        }
        return records
    }

    @Test func rollupsAlwaysEqualRawRows() throws {
        let temporary = try TemporaryLedger()
        _ = try populate(temporary.ledger, count: 2000, seed: 3)
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
    }

    @Test(arguments: ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Paris"])
    func reportsEqualAnIndependentSumInAnyZone(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let temporary = try TemporaryLedger()
        let records = try populate(temporary.ledger, count: 1500, seed: 11)
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        var random = RandomCalls(state: 5)
        let groupings: [[ReportDimension]] = [
            [.model], [.provider, .agent], [.day], [.week, .model], [.month], [.session], [.tag("team")],
            [.agent, .tag("feature"), .day], [.pricingProvider], [.pricingProvider, .provider, .day], [.hour], [.hour, .model], [],
        ]
        for groupBy in groupings {
            // Windows that start and end mid-hour, at whole hours, and open-ended.
            let since: Int64? = random.below(4) == 0 ? nil : RandomCalls.start + Int64(random.below(20 * 86_400_000))
            let until: Int64? = random.below(4) == 0 ? nil : (since ?? RandomCalls.start) + Int64(random.below(40 * 86_400_000)) + 1
            var query = ReportQuery(since: since, until: until, timeZone: zone, groupBy: groupBy)
            if random.below(3) == 0 { query.models = ["gpt-4o", "mystery-model"] }
            let report = try temporary.ledger.report(query)
            var raw = query
            raw.forceRawRows = true
            let rawReport = try temporary.ledger.report(raw)
            #expect(report.rows == rawReport.rows, "rollups vs raw rows for \(groupBy) in \(zoneName)")

            // The oracle: every call summed directly, labels from Foundation's calendar.
            var expected: [[String?]: CallTotals] = [:]
            for record in records {
                let ms = record.epochMilliseconds
                if let since, ms < since { continue }
                if let until, ms >= until { continue }
                if !query.models.isEmpty && !query.models.contains(record.model) { continue }
                let key: [String?] = groupBy.map { dimension in
                    let components = calendar.dateComponents([.year, .month, .day, .hour], from: record.timestamp)
                    switch dimension {
                    case .provider: return record.provider
                    case .pricingProvider: return record.pricedProvider
                    case .model: return record.model
                    case .agent: return record.agent
                    case .session: return record.session
                    case .tag(let key): return record.tags[key]
                    case .hour:
                        return String(format: "%04d-%02d-%02d %02d:00", components.year!, components.month!, components.day!, components.hour!)
                    case .day: return String(format: "%04d-%02d-%02d", components.year!, components.month!, components.day!)
                    case .month: return String(format: "%04d-%02d", components.year!, components.month!)
                    case .week:
                        let monday = calendar.dateInterval(of: .weekOfYear, for: record.timestamp)!.start
                        let parts = calendar.dateComponents([.year, .month, .day], from: monday)
                        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
                    case .block: return nil  // not a grouping of report(_:)
                    }
                }
                var totals = CallTotals()
                totals.calls = 1
                totals.usage = record.usage
                if let cost = record.cost { totals.cost = cost } else { totals.unpricedCalls = 1 }
                if record.status != .ok { totals.errorCalls = 1 }
                expected[key, default: CallTotals()] += totals
            }
            let actual = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.key, $0.totals) })
            #expect(actual == expected, "report vs oracle for \(groupBy) in \(zoneName), window \(String(describing: since))..<\(String(describing: until))")
            var summed = CallTotals()
            for row in report.rows { summed += row.totals }
            #expect(summed == report.total, "total is the exact sum of the rows")
        }
    }

    /// SQLite's `/` truncates toward zero; calls before 1970 must bucket the same on raw rows
    /// as in the rollups (and `ledger verify` must agree).
    @Test func callsBefore1970BucketLikeTheRollups() throws {
        let temporary = try TemporaryLedger()
        var random = RandomCalls(state: 31)
        for (index, ms) in [-5_400_000, -1_800_000, -1, 0, 1_800_000].enumerated() {
            var record = random.record(index: index)
            record.epochMilliseconds = Int64(ms)
            try temporary.ledger.record(record)
        }
        for groupBy in [[ReportDimension.day], [.day, .model]] {
            let query = ReportQuery(timeZone: .gmt, groupBy: groupBy)
            var raw = query
            raw.forceRawRows = true
            let rows = try temporary.ledger.report(query).rows
            #expect(rows == (try temporary.ledger.report(raw)).rows)
            #expect(Set(rows.map { $0.key[0] }) == ["1969-12-31", "1970-01-01"])
        }
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
    }

    @Test func tagFiltersNarrowToMatchingCalls() throws {
        let temporary = try TemporaryLedger()
        let records = try populate(temporary.ledger, count: 800, seed: 21)
        let query = ReportQuery(timeZone: .gmt, groupBy: [.agent], tags: [TagFilter(key: "team", value: "b"), TagFilter(key: "feature", value: "f2")])
        let report = try temporary.ledger.report(query)
        let matching = records.filter { $0.tags["team"] == "b" && $0.tags["feature"] == "f2" }
        #expect(report.total.calls == Int64(matching.count))
        #expect(report.total.usage.inputTokens == matching.map(\.usage.inputTokens).reduce(0, +))

        // Two values of one key: either matches (and still every other key must).
        let either = ReportQuery(
            timeZone: .gmt, groupBy: [],
            tags: [TagFilter(key: "team", value: "a"), TagFilter(key: "team", value: "c"), TagFilter(key: "feature", value: "f1")])
        let eitherMatching = records.filter { ["a", "c"].contains($0.tags["team"]) && $0.tags["feature"] == "f1" }
        #expect(!eitherMatching.isEmpty)
        #expect(try temporary.ledger.report(either).total.calls == Int64(eitherMatching.count))
    }
}

@Suite struct RepriceTests {
    /// Prices "gpt-4o" and "o3" at a rate that depends on `factor`; knows nothing else.
    struct Table: CallPricing {
        var factor: Int64
        func quote(for record: CallRecord) -> PriceQuote? {
            guard record.model == "gpt-4o" || record.model == "o3" else { return nil }
            return PriceQuote(cost: Money(nanoUSD: record.usage.inputTokens * factor + record.usage.outputTokens), entryID: "t@\(factor)")
        }
    }

    @Test func repriceChangesTableCostsKeepsGivenCostsAndRollupsStayExact() throws {
        let temporary = try TemporaryLedger()
        var random = RandomCalls(state: 77)
        var records = (0..<600).map { random.record(index: $0) }
        for index in records.indices where index % 2 == 0 { records[index].cost = nil }  // half to be priced by the table
        try temporary.ledger.write(pricing: Table(factor: 2)) { session in
            for record in records { try session.insert(record) }
        }
        let before = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: []))

        let dry = try temporary.ledger.reprice(pricing: Table(factor: 5), dryRun: true)
        #expect(dry.changed > 0)
        #expect(try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [])).total == before.total)

        let summary = try temporary.ledger.reprice(pricing: Table(factor: 5))
        #expect(summary.changed == dry.changed)
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
        var expected = Money.zero
        var unpriced: Int64 = 0
        for (index, record) in records.enumerated() {
            if index % 2 == 1 {
                if let cost = record.cost { expected += cost } else { unpriced += 1 }
            } else if let quote = Table(factor: 5).quote(for: record) {
                expected += quote.cost
            } else {
                unpriced += 1
            }
        }
        let after = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [.model]))
        #expect(after.total.cost == expected)
        #expect(after.total.unpricedCalls == unpriced)
        // A second reprice with the same table changes nothing.
        #expect(try temporary.ledger.reprice(pricing: Table(factor: 5)).changed == 0)
    }
}

@Suite struct WindowPieceTests {
    let hour: Int64 = 3_600_000
    let day: Int64 = 86_400_000

    @Test func aWindowSplitsIntoRawEdgesHoursAndDays() {
        let since = 10 * day + 3 * hour + 17
        let until = 14 * day + 5 * hour + 99
        #expect(windowPieces(since: since, until: until, allowDays: true) == [
            WindowPiece(source: .raw, from: since, to: 10 * day + 4 * hour),
            WindowPiece(source: .hourly, from: 10 * day + 4 * hour, to: 11 * day),
            WindowPiece(source: .daily, from: 11 * day, to: 14 * day),
            WindowPiece(source: .hourly, from: 14 * day, to: 14 * day + 5 * hour),
            WindowPiece(source: .raw, from: 14 * day + 5 * hour, to: until),
        ])
        #expect(windowPieces(since: since, until: until, allowDays: false) == [
            WindowPiece(source: .raw, from: since, to: 10 * day + 4 * hour),
            WindowPiece(source: .hourly, from: 10 * day + 4 * hour, to: 14 * day + 5 * hour),
            WindowPiece(source: .raw, from: 14 * day + 5 * hour, to: until),
        ])
    }

    @Test func openAndTinyWindows() {
        #expect(windowPieces(since: nil, until: nil, allowDays: true) == [WindowPiece(source: .daily, from: nil, to: nil)])
        #expect(windowPieces(since: 5, until: 10, allowDays: true) == [WindowPiece(source: .raw, from: 5, to: 10)])
        #expect(windowPieces(since: 2 * day, until: 2 * day + 3 * hour, allowDays: true) == [WindowPiece(source: .hourly, from: 2 * day, to: 2 * day + 3 * hour)])
        #expect(windowPieces(since: nil, until: 3 * day + 1, allowDays: true) == [
            WindowPiece(source: .daily, from: nil, to: 3 * day),
            WindowPiece(source: .raw, from: 3 * day, to: 3 * day + 1),
        ])
    }
}

@Suite struct DisplayMoneyTests {
    @Test(arguments: [
        (0, "$0.00"), (12_345_678_900, "$12.35"), (10_000_000, "$0.01"), (7_000_000, "$0.0070"),
        (50_000, "$0.000050"), (12_000, "$0.000012"), (1, "$0.000000001"), (-12_000, "-$0.000012"),
    ] as [(Int64, String)])
    func smallCostsNeverReadAsZero(nano: Int64, shown: String) {
        #expect(displayMoney(Money(nanoUSD: nano)) == shown)
    }
}
