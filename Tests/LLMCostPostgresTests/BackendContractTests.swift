import Foundation
import LLMCostCore
import LLMCostStore
import LLMCostTestSupport
import Testing
@testable import LLMCostPostgres

/// Which backend a contract test runs on.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A fresh, empty ledger on `backend`, and how to get rid of it.
final class BackendLedger {
    let ledger: Ledger
    private let cleanup: () -> Void
    /// Another connection (another "host") to the same ledger.
    let reopen: () throws -> Ledger

    init(_ backend: Backend) throws {
        switch backend {
        case .sqlite:
            let folder = try temporaryFolder("contract")
            let path = folder.appendingPathComponent("ledger.sqlite").path
            ledger = try Ledger(path: path)
            reopen = { try Ledger(path: path) }
            cleanup = { try? FileManager.default.removeItem(at: folder) }
        case .postgres:
            let database = try TestServer.freshDatabase()
            ledger = try PostgresLedger.open(database.location, password: database.password)
            reopen = { try PostgresLedger.open(database.location, password: database.password) }
            cleanup = { database.drop() }
        }
    }

    deinit { cleanup() }
}

/// The same behaviour on SQLite and PostgreSQL: idempotent records, exact sums per budget
/// scope, reservations, settlement, overruns.
@Suite struct BackendContractTests {
    let start = Date(timeIntervalSince1970: 1_780_000_000)

    func call(_ index: Int, at date: Date, cost: String? = "0.25", tags: [String: String] = [:]) -> CallRecord {
        var record = CallRecord(
            timestamp: date, provider: index % 2 == 0 ? "anthropic" : "openai", model: index % 3 == 0 ? "m-a" : "m-b",
            requestID: "r\(index)", usage: Usage(inputTokens: 100 + Int64(index), outputTokens: 10))
        record.agent = "agent-\(index % 4)"
        record.session = "s\(index % 5)"
        record.tags = tags
        record.cost = cost.flatMap(Money.init(decimalUSD:))
        return record
    }

    @Test(arguments: Backend.allCases)
    func recordsAreIdempotentAndEveryScopeSumsExactly(_ backend: Backend) throws {
        let fixture = try BackendLedger(backend)
        let ledger = fixture.ledger
        var expected: [String: Int64] = [:]  // scope -> nano
        for index in 0..<60 {
            // Spread over three days, a few seconds past each hour: rollups and raw edges.
            let date = start + Double(index) * 3_700
            let record = call(index, at: date, cost: index % 7 == 6 ? nil : "0.\(100 + index)", tags: ["team": index % 2 == 0 ? "a" : "b"])
            #expect(try ledger.record(record) == .inserted)
            #expect(try ledger.record(record) == .duplicate)
            guard let cost = record.cost?.nanoUSD else { continue }
            expected["all", default: 0] += cost
            expected["provider:\(record.provider)", default: 0] += cost
            expected["model:\(record.model)", default: 0] += cost
            expected["agent:\(record.agent ?? "")", default: 0] += cost
            expected["team:\(record.tags["team"] ?? "")", default: 0] += cost
        }
        let end = start + 60 * 3_700
        let scopes: [(String, BudgetScope)] = [
            ("all", .all), ("provider:openai", .provider("openai")), ("model:m-a", .model("m-a")),
            ("agent:agent-1", .agent("agent-1")), ("team:b", .tag(key: "team", value: "b")),
        ]
        for (key, scope) in scopes {
            let budget = BudgetDefinition(name: key, scope: scope, period: .total, limit: Money(decimalUSD: "1000")!)
            let usage = try ledger.usage(of: budget, now: end)
            #expect(usage.spent.nanoUSD == expected[key], "\(backend) \(key)")
        }
        let unpriced = BudgetDefinition(name: "u", period: .total, limit: Money(decimalUSD: "1")!)
        #expect(try ledger.unpricedCalls(of: unpriced, now: end) == Int64((0..<60).filter { $0 % 7 == 6 }.count))
        // A second connection (another host) sees the same.
        let other = try fixture.reopen()
        #expect(try other.usage(of: BudgetDefinition(name: "x", period: .total, limit: .zero), now: end).spent.nanoUSD == expected["all"])
        #expect(try other.record(call(0, at: start)) == .duplicate)
    }

    @Test(arguments: Backend.allCases)
    func reservationsSettleAndOverrunAlike(_ backend: Backend) throws {
        let fixture = try BackendLedger(backend)
        let ledger = fixture.ledger
        let budget = BudgetDefinition(name: "cap", period: .total, limit: Money(decimalUSD: "10")!, action: .block)
        func reserve(_ dollars: String, at date: Date) throws -> ReservationOutcome {
            try ledger.reserve(Money(decimalUSD: dollars)!, against: [budget], now: date, expiresAfter: .seconds(60))
        }
        guard case .reserved(let first) = try reserve("6", at: start) else {
            Issue.record("\(backend): the first reservation fits")
            return
        }
        // 6 held: 5 more would pass 10, but only because of the hold.
        guard case .refused(let refusal) = try reserve("5", at: start + 1) else {
            Issue.record("\(backend): 6 + 5 > 10 is refused")
            return
        }
        #expect(refusal.isBlockedOnlyByReservations && refusal.reserved == Money(decimalUSD: "6"))
        // Settled at 7 (one over its reservation): an overrun of 1, and the hold is gone.
        var record = call(1, at: start + 2)
        record.cost = Money(decimalUSD: "7")
        #expect(try ledger.settle(first, recording: record) == .inserted)
        let usage = try ledger.usage(of: budget, now: start + 3)
        #expect(usage.spent == Money(decimalUSD: "7") && usage.reserved == .zero)
        #expect(try ledger.overruns(of: budget, now: start + 3) == BudgetOverruns(calls: 1, amount: Money(decimalUSD: "1")!))
        // Renew, release, expiry.
        guard case .reserved(let second) = try reserve("3", at: start + 4) else {
            Issue.record("\(backend): 7 + 3 fits exactly")
            return
        }
        #expect(try ledger.renew([second], now: start + 50, expiresAfter: .seconds(60)).isEmpty)
        #expect(try ledger.usage(of: budget, now: start + 100).reserved == Money(decimalUSD: "3"))
        try ledger.release(second)
        #expect(try ledger.usage(of: budget, now: start + 101).reserved == .zero)
        #expect(try ledger.renew([second], now: start + 102, expiresAfter: .seconds(60)) == [second])
    }

    @Test(arguments: Backend.allCases)
    func alertsAreClaimedOnceAcrossHosts(_ backend: Backend) throws {
        let fixture = try BackendLedger(backend)
        let hosts = [fixture.ledger, try fixture.reopen(), try fixture.reopen()]
        let claims = try hosts.map {
            try $0.claimAlert(budget: "cap", periodKey: -1, thresholdBasisPoints: 8_000, spent: .zero, limit: .zero, now: start)
        }
        #expect(claims.filter { $0 }.count == 1)
        // Undelivered: due for a retry a minute later, claimed by one host only.
        let retries = try hosts.map { try $0.claimAlertRetries(maxAttempts: 3, retryAfter: .seconds(30), now: start + 60) }
        #expect(retries.map(\.count).reduce(0, +) == 1)
        #expect(retries.first { !$0.isEmpty }?.first?.attempts == 2)
        let retried = try #require(retries.first { !$0.isEmpty }?.first)
        try hosts[2].noteAlertDelivery(retried, error: nil)
        #expect(try hosts[0].alerts().map(\.delivered) == [true])
        let budget = BudgetDefinition(name: "cap", period: .total, limit: .zero)
        let warnings = try hosts.map { try $0.claimUnpricedWarning(budget: budget, provider: "p", model: "m", now: start) }
        #expect(warnings.filter { $0 }.count == 1)
    }

    @Test(arguments: Backend.allCases)
    func estimateSamplesReadBackAsWritten(_ backend: Backend) throws {
        let fixture = try BackendLedger(backend)
        let ledger = fixture.ledger
        for index in 0..<5 {
            var record = call(index, at: start + Double(index))
            record.provider = "openai"
            record.model = "gpt"
            record.estimatedUsage = Usage(inputTokens: 90 + Int64(index))
            record.heuristicEstimate = HeuristicInputEstimate(rawTokens: 80 + Int64(index), factorPartsPerMillion: 1_100_000)
            try ledger.record(record)
        }
        let samples = try ledger.recentHeuristicSamples(provider: "openai", model: "gpt", since: 0, limit: 3)
        #expect(samples.map(\.appliedTokens) == [94, 93, 92])
        #expect(samples.first?.heuristic == HeuristicInputEstimate(rawTokens: 84, factorPartsPerMillion: 1_100_000))
        #expect(samples.first?.actualTokens == 104)
        var seen = 0
        try ledger.forEachEstimateSample { provider, model, _ in
            #expect(provider == "openai" && model == "gpt")
            seen += 1
        }
        #expect(seen == 5)
        let output = try ledger.recentOutput(provider: "openai", model: "gpt", since: 0)
        #expect(output.calls == 5 && output.outputTokens == 50)
    }

    /// Bulk inserts count each call as one by one would: a call repeated within a batch, or
    /// across a statement's edge, or stored before, is a duplicate. Two hosts bulk-inserting
    /// the same calls at once, in opposite orders, store each once and do not deadlock.
    @Test(arguments: Backend.allCases)
    func bulkInsertsCountLikeOneByOneAndHostsDoNotDeadlock(_ backend: Backend) async throws {
        let fixture = try BackendLedger(backend)
        let ledger = fixture.ledger
        var random = RandomCalls(state: 41)
        let records = (0..<7_000).map { random.record(index: $0) }
        try ledger.record(records[10])
        let batch = Array(records[0..<4_500]) + Array(records[100..<200]) + [records[4_499]]
        let counts = try ledger.write { session -> [Int] in
            try session.insert(contentsOf: batch)
            return [session.insertedCount, session.duplicateCount]
        }
        // The same, one by one, into a file.
        let reference = try BackendLedger(.sqlite)
        try reference.ledger.record(records[10])
        let expected = try reference.ledger.write { session -> [Int] in
            for record in batch { try session.insert(record) }
            return [session.insertedCount, session.duplicateCount]
        }
        #expect(counts == expected)
        #expect(counts[1] > 100)

        let hosts = try (0..<2).map { _ in try fixture.reopen() }
        let tail = Array(records[3_000...])
        async let forward = onOwnThread { try hosts[0].write { session in try session.insert(contentsOf: tail) } }
        async let backward = onOwnThread { try hosts[1].write { session in try session.insert(contentsOf: tail.reversed()) } }
        _ = try await (forward, backward)
        try reference.ledger.write { session in for record in records { try session.insert(record) } }
        #expect(try ledger.callCount() == reference.ledger.callCount())
        #expect(try ledger.rollupDiscrepancies().isEmpty)
        let query = ReportQuery(timeZone: .gmt, groupBy: [.session, .model])
        #expect(try ledger.report(query).rows == reference.ledger.report(query).rows)
    }

    /// One transaction touching more rollup rows than one combined statement takes: every
    /// hourly, daily and session row equals the raw rows' sums.
    @Test(arguments: Backend.allCases)
    func largeBatchesKeepEveryRollupExact(_ backend: Backend) async throws {
        try await HeavyWorkSlots.shared.run(slots: nil) { try await onOwnThread { try largeBatch(backend) } }
    }

    private func largeBatch(_ backend: Backend) throws {
        let fixture = try BackendLedger(backend)
        let ledger = fixture.ledger
        try ledger.write { session in
            for index in 0..<2_600 {
                var record = call(index, at: start + Double(index) * 1_800, cost: index % 11 == 0 ? nil : "0.00\(1000 + index)")
                record.session = "s\(index % 1_300)"
                try session.insert(record)
            }
        }
        try ledger.transaction(.read) { sql in
            let checks = [
                ("hourly", "SELECT COUNT(*) FROM (SELECT ts_ms / 3600000 AS k, provider_id AS p, model_id AS m, agent_id AS a, COUNT(*) AS n, "
                    + "SUM(cost_nano) AS c FROM calls GROUP BY 1, 2, 3, 4) raw JOIN rollup_hourly r ON r.hour = raw.k AND r.provider_id = raw.p "
                    + "AND r.model_id = raw.m AND r.agent_id = raw.a WHERE r.calls = raw.n AND r.cost_nano = COALESCE(raw.c, 0)",
                 "SELECT COUNT(*) FROM rollup_hourly"),
                ("daily", "SELECT COUNT(*) FROM (SELECT ts_ms / 86400000 AS k, provider_id AS p, model_id AS m, agent_id AS a, COUNT(*) AS n, "
                    + "SUM(cost_nano) AS c FROM calls GROUP BY 1, 2, 3, 4) raw JOIN rollup_daily r ON r.day = raw.k AND r.provider_id = raw.p "
                    + "AND r.model_id = raw.m AND r.agent_id = raw.a WHERE r.calls = raw.n AND r.cost_nano = COALESCE(raw.c, 0)",
                 "SELECT COUNT(*) FROM rollup_daily"),
                ("sessions", "SELECT COUNT(*) FROM (SELECT session_id AS k, COUNT(*) AS n, SUM(cost_nano) AS c, MIN(ts_ms) AS f, MAX(ts_ms) AS l "
                    + "FROM calls GROUP BY 1) raw JOIN rollup_sessions r ON r.session_id = raw.k "
                    + "WHERE r.calls = raw.n AND r.cost_nano = COALESCE(raw.c, 0) AND r.first_ms = raw.f AND r.last_ms = raw.l",
                 "SELECT COUNT(*) FROM rollup_sessions"),
            ]
            for (name, matching, all) in checks {
                let matched = try sql.firstRow(matching)?.integer(0)
                let rows = try sql.firstRow(all)?.integer(0)
                #expect(matched == rows && (rows ?? 0) > 200, "\(backend) \(name): \(matched ?? -1) of \(rows ?? -1) rows match")
            }
        }
    }
}
