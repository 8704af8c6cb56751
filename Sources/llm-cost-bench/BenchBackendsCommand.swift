import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostPostgres

/// `llm-cost-bench backends`: the same ledger operations on SQLite and on PostgreSQL, side by
/// side in one run: recording one call, reserve-and-settle from 16 concurrent clients on one
/// budget, and bulk writes.
struct BenchBackendsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backends",
        abstract: "Time the ledger's writes and budget admissions on SQLite and PostgreSQL, side by side.",
        discussion: """
            --postgres names a server (password from PGPASSWORD or ~/.pgpass) whose user may create \
            databases: the bench works in a database of its own, dropped at the end. Default: \
            $LLM_COST_TEST_POSTGRES_URL (scripts/postgres-test-server.sh start prints one). Use a \
            release build.
            """)

    @Option(help: "The PostgreSQL server (a postgres:// URL).") var postgres: String?
    @Option(help: "Calls recorded one by one.") var records: Int = 2_000
    @Option(help: "Reserve-and-settle rounds per client (16 clients).") var rounds: Int = 200
    @Option(help: "Calls written in bulk.") var bulk: Int = 100_000

    func run() async throws {
        guard let url = postgres ?? ProcessInfo.processInfo.environment["LLM_COST_TEST_POSTGRES_URL"] else {
            throw CommandFailure.usage("--postgres: give a server URL (or set LLM_COST_TEST_POSTGRES_URL)")
        }
        let server = try PostgresLocation(url: url)
        let password = try PostgresPassword(for: server).password
        let scratch = try PostgresBenchDatabase(server: server, password: password)
        defer { scratch.drop() }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlitePath = folder.appendingPathComponent("ledger.sqlite").path
        let backends: [(String, () throws -> Ledger)] = [
            ("sqlite", { try Ledger(path: sqlitePath) }),
            ("postgres", { try scratch.open() }),
        ]
        let out = FileOutput.standardOutput
        out.write("the ledger on each backend (PostgreSQL \(server.host):\(server.port), loopback)\n")
        var lines: [String: [String]] = [:]
        for (name, open) in backends {
            let ledger = try open()
            // 0. One statement's round trip, the floor under everything else.
            let statements = try ledger.transaction(.read) { sql -> [Double] in
                let clock = ContinuousClock()
                var samples: [Double] = []
                for round in 0..<2_200 {
                    let start = clock.now
                    try sql.execute("SELECT 1", [])
                    if round >= 200 { samples.append(microseconds(clock.now - start)) }
                }
                return samples.sorted()
            }
            lines[name, default: []].append("one statement (SELECT 1) p50 \(latencyText(percentile(statements, 0.5)))  p99 \(latencyText(percentile(statements, 0.99)))")
            // 1. One call per transaction, as a metered call records.
            var index = 0
            let samples = try await timeCalls(records) {
                index += 1
                var record = CallRecord(
                    timestamp: Date(), provider: "anthropic", model: "claude-sonnet-4-5", requestID: "rec-\(index)",
                    usage: Usage(inputTokens: 1_200, outputTokens: 300))
                record.agent = "agent-\(index % 8)"
                record.session = "session-\(index % 50)"
                record.cost = Money(nanoUSD: 1_000_000)
                try ledger.record(record)
            }
            lines[name, default: []].append("record one call      p50 \(latencyText(percentile(samples, 0.5)))  p99 \(latencyText(percentile(samples, 0.99)))")

            // 2. Reserve and settle from 16 clients at once (16 ledgers: 16 hosts' connections).
            let budget = BudgetDefinition(name: "bench-\(name)", period: .total, limit: Money(decimalUSD: "1000000")!, action: .block)
            let clients = try (0..<16).map { _ in try open() }
            let rounds = rounds
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (client, clientLedger) in clients.enumerated() {
                    group.addTask {
                        try await Task.detached {
                            for round in 0..<rounds {
                                guard case .reserved(let reservation) = try clientLedger.reserve(Money(nanoUSD: 5_000_000), against: [budget]) else {
                                    throw CommandFailure.usage("a reservation was refused under a limit that cannot be reached")
                                }
                                var record = CallRecord(
                                    timestamp: Date(), provider: "openai", model: "gpt-4o", requestID: "rs-\(client)-\(round)",
                                    usage: Usage(inputTokens: 500, outputTokens: 100))
                                record.cost = Money(nanoUSD: 4_000_000)
                                try clientLedger.settle(reservation, recording: record)
                            }
                        }.value
                    }
                }
                try await group.waitForAll()
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            lines[name, default: []].append(String(format: "reserve+settle, 16 clients on one budget  %8.0f /s", Double(16 * rounds) / seconds))

            // 3. Bulk writes: batches of 10k calls per transaction.
            let bulkStart = ContinuousClock.now
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var written = 0
            var batch: [CallRecord] = []
            func flush() throws {
                let records = batch
                try ledger.write { session in try session.insert(contentsOf: records) }
                written += records.count
                batch.removeAll(keepingCapacity: true)
            }
            try SyntheticWorkload.demo.generate(count: bulk, start: now - 30 * 86_400_000, end: now, seed: 7) { record in
                batch.append(record)
                if batch.count == 10_000 { try flush() }
            }
            try flush()
            let bulkSeconds = (ContinuousClock.now - bulkStart) / .seconds(1)
            lines[name, default: []].append(String(format: "bulk writes (10k per transaction)       %8.0f calls/s", Double(written) / bulkSeconds))
        }
        for (sqliteLine, postgresLine) in zip(lines["sqlite"] ?? [], lines["postgres"] ?? []) {
            out.write("  sqlite    \(sqliteLine)\n  postgres  \(postgresLine)\n")
        }
    }
}
