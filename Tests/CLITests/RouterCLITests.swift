import Foundation
import LLMCostSimulator
import LLMCostTestSupport
import Testing

/// A `type = "router"` provider, run through the built binary against the simulator: `prompt`,
/// the report of its fallbacks, `providers list|check`, and `cheapest` against `llm-cost estimate`.
@Suite struct RouterCLITests {
    private func configure(_ scene: SimulatedHome, _ routers: String) throws {
        let base = scene.simulator.baseURL.absoluteString
        let folder = scene.home.appendingPathComponent("config/llm-cost")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            [providers.alpha]
            type = "openai"
            base_url = "\(base)/v1"
            model = "gpt-4o-mini"
            max_retries = 0

            [providers.beta]
            type = "openai"
            base_url = "\(base)/v1"
            model = "gpt-4o-mini"
            max_retries = 0

            \(routers)
            """.write(to: folder.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    }

    private let environment = ["OPENAI_API_KEY": "sk-cli-router-0123456789"]

    @Test func aFallbackIsServedRecordedReportedAndChecked() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        try configure(scene, """
            [providers.smart]
            type = "router"
            candidates = ["alpha:sim-overloaded", "beta:gpt-4o-mini"]
            """)
        let call = try await CLIRunner.run(["prompt", "--provider", "smart", "hello"], home: scene.home, environment: environment)
        #expect(call.status == 0, "\(call.stderr)")
        #expect(call.stdout == "Simulated reply to: hello\n")
        #expect(call.stderr.hasPrefix("beta/gpt-4o-mini via smart (attempt 2) · in "), "\(call.stderr)")

        let report = try await CLIRunner.run(
            ["report", "--by", "tag:router,tag:router_attempt,provider", "--format", "json"], home: scene.home)
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try #require((JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])
        let summary = rows.map { row -> String in
            let key = row["key"] as? [String: Any] ?? [:]
            return "\(key["tag:router"] ?? "-")/\(key["tag:router_attempt"] ?? "-")/\(key["provider"] ?? "-"): \(row["calls"] ?? 0) calls, \(row["error_calls"] ?? 0) errors"
        }.sorted()
        #expect(summary == ["smart/1/alpha: 1 calls, 1 errors", "smart/2/beta: 1 calls, 0 errors"], "\(report.stdout)")

        let listed = try await CLIRunner.run(["providers", "list"], home: scene.home, environment: environment)
        let line = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("smart ") })
        #expect(line.contains("router (ordered)") && line.contains("alpha:sim-overloaded, beta:gpt-4o-mini"), "\(listed.stdout)")

        let checked = try await CLIRunner.run(["providers", "check", "smart"], home: scene.home, environment: environment)
        #expect(checked.status == 1)
        let lines = checked.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("smart → alpha:sim-overloaded: FAILED: the provider has a problem right now"), "\(checked.stdout)")
        #expect(lines[1].hasPrefix("smart → beta:gpt-4o-mini: ok"), "\(checked.stdout)")

        // Without the key, every candidate is unavailable, and the error says which and why.
        let withoutKey = try await CLIRunner.run(["prompt", "--provider", "smart", "hello"], home: scene.home)
        #expect(withoutKey.status == 1)
        #expect(withoutKey.stderr.contains("alpha:sim-overloaded: unavailable") && withoutKey.stderr.contains("no API key"), "\(withoutKey.stderr)")
    }

    @Test func cheapestServesTheCandidateLlmCostEstimatePricesLowest() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let candidates = ["alpha:gpt-4.1", "beta:gpt-4o", "alpha:gpt-4o-mini", "beta:gpt-4.1-mini"]
        try configure(scene, """
            [providers.cheap]
            type = "router"
            strategy = "cheapest"
            candidates = [\(candidates.map { "\"\($0)\"" }.joined(separator: ", "))]
            """)
        let prompt = String(repeating: "Compare the two quarterly reports line by line. ", count: 30)
        let file = scene.home.appendingPathComponent("prompt.txt")
        try prompt.write(to: file, atomically: true, encoding: .utf8)
        var costs: [String: Decimal] = [:]
        for candidate in candidates {
            let parts = candidate.split(separator: ":").map(String.init)
            let estimate = try await CLIRunner.run(
                ["estimate", "--provider", parts[0], "--model", parts[1], "--max-tokens", "200", "--format", "json", file.path],
                home: scene.home, environment: environment)
            #expect(estimate.status == 0, "\(estimate.stderr)")
            let object = try #require(JSONSerialization.jsonObject(with: Data(estimate.stdout.utf8)) as? [String: Any])
            let cost = try #require((object["expected_cost_usd"] as? String) ?? (object["worst_case_cost_usd"] as? String))
            costs[candidate] = Decimal(string: cost)
        }
        let cheapest = try #require(costs.min { $0.value < $1.value }?.key)
        #expect(Set(costs.values).count == candidates.count, "\(costs)")
        let call = try await CLIRunner.run(
            ["prompt", "--provider", "cheap", "--max-tokens", "200", prompt], home: scene.home, environment: environment)
        #expect(call.status == 0, "\(call.stderr)")
        let served = cheapest.replacingOccurrences(of: ":", with: "/")
        #expect(call.stderr.hasPrefix("\(served) via cheap · "), "expected \(served) (\(costs)); \(call.stderr)")
    }
}
