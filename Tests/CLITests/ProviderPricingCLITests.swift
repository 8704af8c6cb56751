import Foundation
import LLMCostSimulator
import Testing

/// Providers configured under names of their own, priced by their type, through the built
/// binary: `providers list`, `prompt`, `report --by pricing_provider`, `reprice`, and a block
/// budget that refuses what it cannot price (exit 3).
@Suite struct ProviderPricingCLITests {
    private func config(_ simulator: ProviderSimulator, budgets: String = "") -> String {
        """
        [providers.work]
        type = "openai"
        model = "gpt-4o-mini"
        base_url = "\(simulator.baseURL.absoluteString)/v1"
        api_key_env = "WORK_KEY"

        [providers.gpu]
        type = "vllm"
        model = "meta-llama/Llama-3.1-8B"
        base_url = "\(simulator.baseURL.absoluteString)/v1"

        [providers.box]
        type = "openai-compatible"
        model = "deepseek-chat"
        base_url = "\(simulator.baseURL.absoluteString)/v1"
        pricing_provider = "deepseek"
        \(budgets)
        """
    }

    @Test func providersListSaysHowEachDefaultModelIsPricedOrHowToPriceIt() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        try config(simulator).write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let result = try await CLIRunner.run(["providers", "list"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first { $0.hasPrefix("work ") }?.hasSuffix("openai/gpt-4o-mini@2024-07-18") == true, "\(rows)")
        #expect(rows.first { $0.hasPrefix("box ") }?.contains("deepseek/deepseek-chat@") == true, "\(rows)")
        #expect(rows.first { $0.hasPrefix("gpu ") }?.hasSuffix("UNPRICED") == true, "\(rows)")
        #expect(rows.first { $0.hasPrefix("ollama ") }?.hasSuffix("($0)") == true, "explicitly free: \(rows)")
        #expect(result.stdout.contains("gpu: unpriced (type vllm): set pricing_provider"))
    }

    @Test func callsOfNamedProvidersArePricedAsTheirTypeAndGroupEitherWay() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        try config(simulator).write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let ledger = home.appendingPathComponent("ledger.sqlite").path
        for provider in ["work", "box", "gpu"] {
            let result = try await CLIRunner.run(["prompt", "--db", ledger, "--provider", provider, "hello"], home: home, environment: ["WORK_KEY": "sk-test"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let byName = try await CLIRunner.run(["report", "--db", ledger, "--by", "provider", "--format", "json"], home: home)
        let byType = try await CLIRunner.run(["report", "--db", ledger, "--by", "pricing_provider", "--format", "json"], home: home)
        let names = try rows(byName.stdout, key: "provider")
        let types = try rows(byType.stdout, key: "pricing_provider")
        #expect(Set(names.keys) == ["work", "box", "gpu"])
        #expect(Set(types.keys) == ["openai", "deepseek", "gpu"])
        #expect(names["work"]?.cost != nil && names["work"]?.cost == types["openai"]?.cost)
        #expect(names["gpu"]?.cost == nil, "a vllm server without pricing_provider is unpriced, never $0")
    }

    @Test func repricePricesCallsRecordedEarlierUnderACustomName() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let ledger = home.appendingPathComponent("ledger.sqlite").path
        // Recorded before the provider was configured: nothing said `work` was OpenAI.
        let line = #"{"ts":"2026-11-20T10:00:00Z","provider":"work","model":"gpt-4o-mini","request_id":"r1","input_tokens":1000000,"output_tokens":1000000}"#
        #expect(try await CLIRunner.run(["import", "--db", ledger, "-"], stdin: line + "\n", home: home).status == 0)
        let before = try await CLIRunner.run(["report", "--db", ledger, "--format", "json"], home: home)
        #expect(before.stdout.contains(#""unpriced_calls":1"#))
        try """
            [providers.work]
            type = "openai"
            model = "gpt-4o-mini"
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let reprice = try await CLIRunner.run(["reprice", "--db", ledger], home: home)
        #expect(reprice.status == 0, "\(reprice.stderr)")
        #expect(reprice.stdout.contains("newly priced: 1"))
        #expect(reprice.stdout.contains("priced as their provider's type: 1"))
        // $0.15 + $0.60 per million: gpt-4o-mini's list prices.
        let exported = try await CLIRunner.run(["export", "--db", ledger], home: home).stdout
        #expect(exported.contains(#""cost_usd":"0.750000000""#), "\(exported)")
        #expect(exported.contains(#""pricing_provider":"openai""#))
        #expect(try await CLIRunner.run(["ledger", "verify", "--db", ledger], home: home).status == 0)
    }

    @Test func aBlockBudgetRefusesAnUnpricedModelWithExitThreeAndSaysHowToPriceIt() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let budget = """

            [[budgets]]
            name = "cap"
            period = "day"
            limit_usd = 5
            action = "block"
            """
        try config(simulator, budgets: budget).write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let ledger = home.appendingPathComponent("ledger.sqlite").path
        let refused = try await CLIRunner.run(["prompt", "--db", ledger, "--provider", "gpu", "hello"], home: home)
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("gpu/meta-llama/Llama-3.1-8B has no price"))
        #expect(refused.stderr.contains("pricing_provider"))
        #expect(simulator.requests.isEmpty, "refused before anything was sent")
        // The explicitly free Ollama preset stays unblocked; a priced call goes through.
        let priced = try await CLIRunner.run(["prompt", "--db", ledger, "--provider", "work", "hello"], home: home, environment: ["WORK_KEY": "sk-test"])
        #expect(priced.status == 0, "\(priced.stderr)")
        // With unpriced = "allow" the same call is sent (and recorded unpriced).
        try config(simulator, budgets: budget + "\nunpriced = \"allow\"\n")
            .write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let allowed = try await CLIRunner.run(["prompt", "--db", ledger, "--provider", "gpu", "hello"], home: home)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(simulator.requests.count == 2)
    }

    /// Report rows by their one key, with cost (`nil` when unknown).
    private func rows(_ json: String, key: String) throws -> [String: (calls: Int, cost: String?)] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        var result: [String: (calls: Int, cost: String?)] = [:]
        for row in object?["rows"] as? [[String: Any]] ?? [] {
            guard let name = (row["key"] as? [String: Any])?[key] as? String else { continue }
            result[name] = (row["calls"] as? Int ?? 0, row["cost_usd"] as? String)
        }
        return result
    }
}
