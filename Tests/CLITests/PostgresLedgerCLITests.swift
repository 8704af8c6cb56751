import Foundation
import LLMCostSimulator
import LLMCostTestSupport
import Testing

/// The built binary against a ledger on a real PostgreSQL server: `--db postgres://...`.
@Suite struct PostgresLedgerCLITests {
    /// Sixteen `llm-cost prompt` processes in two groups, each group a "host" with its own home
    /// and config naming the same block budget, all against one PostgreSQL ledger at once: the
    /// calls let through never cost more than the limit, and each is recorded once.
    @Test func twoHostsOfEightProcessesNeverOverspendOneBudget() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let simulator = ProviderSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let hosts = try (0..<2).map { _ in try CLIRunner.temporaryDirectory() }
        defer { for home in hosts { try? FileManager.default.removeItem(at: home) } }
        for home in hosts {
            // The same budget on both hosts: a worst case of ~$0.0008 and an actual cost of
            // ~$0.00009 per call, so $0.0015 admits calls only while spend plus holds fit.
            try """
                [[budgets]]
                name = "team-cap"
                period = "day"
                limit_usd = 0.0015
                action = "block"
                """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        }
        let environment = database.environment.merging([
            "ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
        ]) { $1 }
        // The schema first, so the processes race on the budget, not on the migration.
        let first = try await CLIRunner.run(["budget", "status", "--db", database.url], home: hosts[0], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")

        let processes = (0..<16).map { index in
            CLIRunner.process(
                ["prompt", "--db", database.url, "--provider", "anthropic", "--max-tokens", "50", "hello \(index)"],
                home: hosts[index % 2], environment: environment)
        }
        let outcomes = try await HeavyWorkSlots.shared.run(slots: nil) {
            try await onOwnThread { [processes] () throws -> [Int32] in
                for process in processes { try process.run() }
                return processes.map { $0.waitUntilExit(); return $0.terminationStatus }
            }
        }
        let succeeded = outcomes.filter { $0 == 0 }.count
        #expect(outcomes.allSatisfy { $0 == 0 || $0 == 3 }, "\(outcomes)")
        #expect(succeeded > 0 && succeeded < 16, "\(outcomes)")
        #expect(simulator.requests.count == succeeded)

        // Both hosts see the same spend: the successful calls, within the limit, none held.
        for home in hosts {
            let status = try await CLIRunner.run(["budget", "status", "--db", database.url, "--format", "json"], home: home, environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            let budget = try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.first)
            let spent = try #require(Decimal(string: budget["spent_usd"] as? String ?? ""))
            #expect(spent > 0 && spent <= Decimal(string: "0.0015")!, "\(status.stdout)")
            #expect(budget["reserved_usd"] as? String == "0.000000000", "\(status.stdout)")
        }
    }

    @Test func recordIsIdempotentAndPasswordsStayOutOfMessages() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let call = ["record", "--db", database.url, "--provider", "openai", "--model", "gpt-4o", "--input", "1000", "--output", "10", "--request-id", "r1"]
        let recorded = try await CLIRunner.run(call, home: home, environment: database.environment)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let again = try await CLIRunner.run(call, home: home, environment: database.environment)
        #expect(again.stdout.contains("already recorded"), "\(again.stdout)")
        // A wrong password in the URL: refused, named, never printed.
        let url = database.url.replacingOccurrences(of: "postgres://llmcost@", with: "postgres://llmcost:Wr0ng-pass@")
        let refused = try await CLIRunner.run(["budget", "status", "--db", url], home: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refused the login"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("Wr0ng-pass"), "\(refused.stderr)")
        // What is not on PostgreSQL yet says so, and writes nothing.
        let report = try await CLIRunner.run(["report", "--db", database.url], home: home, environment: database.environment)
        #expect(report.status == 1)
        #expect(report.stderr.contains("not available on a PostgreSQL ledger yet"), "\(report.stderr)")
    }
}
