import Foundation
import LLMCostSimulator
import Testing

/// `llm-cost budget status|check` against a ledger that a metered prompt spent into.
@Suite struct BudgetCommandTests {
    @Test func statusShowsSpendAndCheckExitsThreeWhenOver() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        try """
            [[budgets]]
            name = "tiny"
            period = "month"
            limit_usd = "0.00005"

            [[budgets]]
            name = "roomy"
            agent = "tester"
            period = "day"
            limit_usd = 10
            action = "block"
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let env = ["ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString]
        let prompt = try await CLIRunner.run(["prompt", "--provider", "anthropic", "--agent", "tester", "hello there"], home: home, environment: env)
        #expect(prompt.status == 0, "\(prompt.stderr)")
        // The warn budget is over (the call cost $0.000084: 3 input + 5 output tokens) but never refused it.
        let over = try await CLIRunner.run(["budget", "check", "tiny"], home: home)
        #expect(over.status == 3, "\(over.stderr)")
        let under = try await CLIRunner.run(["budget", "check", "roomy"], home: home)
        #expect(under.status == 0, "\(under.stderr)")
        let unknown = try await CLIRunner.run(["budget", "check", "nope"], home: home)
        #expect(unknown.status == 2)
        let status = try await CLIRunner.run(["budget", "status", "--format", "json"], home: home)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains(#""name":"roomy""#))
        #expect(status.stdout.contains(#""spent_usd":"0.000084000""#))
        #expect(status.stdout.contains(#""reserved_usd":"0.000000000""#))
        let table = try await CLIRunner.run(["budget", "status"], home: home)
        #expect(table.stdout.contains("tiny"))
    }

    @Test func aBadBudgetTableIsLocatedByFileAndLine() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try """
            [[budgets]]
            name = "x"
            limit_usd = 1
            colour = "red"
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let result = try await CLIRunner.run(["budget", "status"], home: home)
        #expect(result.status != 0)
        #expect(result.stderr.contains("llm-cost.toml:4"), "\(result.stderr)")
        #expect(result.stderr.contains("colour"))

        try """
            [[budgets]]
            name = "daily"
            limit_usd = 1

            [[budgets]]
            name = "daily"
            limit_usd = 2
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let twice = try await CLIRunner.run(["budget", "status"], home: home)
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("llm-cost.toml:5"), "\(twice.stderr)")
        #expect(twice.stderr.contains("\"daily\" names an earlier budget too (line 1)"), "\(twice.stderr)")
    }

    /// Spend far beyond the limit (a $1M call) must not overflow the share shown.
    @Test func hugeSpendIsShownNotATrap() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try "[[budgets]]\nname = \"small\"\nlimit_usd = 5\n".write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        #expect(try await CLIRunner.run(["record", "--provider", "p", "--model", "m", "--cost-usd", "1000000"], home: home).status == 0)
        let status = try await CLIRunner.run(["budget", "status", "--format", "json"], home: home)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains(#""share_used_bp":200000000"#), "\(status.stdout)")
        #expect(try await CLIRunner.run(["budget", "check", "small"], home: home).status == 3)
    }
}
