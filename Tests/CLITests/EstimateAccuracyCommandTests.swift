import Foundation
import LLMCostSimulator
import Testing

/// `llm-cost report accuracy` on calls metered by `llm-cost prompt` against the simulator:
/// each prompt is a new process, so what one learns the next can only have read from the ledger.
@Suite struct EstimateAccuracyCommandTests {
    private let key = "sk-cli-test-key-0123456789"

    private func environment(_ simulator: ProviderSimulator) -> [String: String] {
        [
            "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
            "OPENAI_API_KEY": key, "OPENAI_BASE_URL": simulator.baseURL.absoluteString + "/v1",
            // gpt-4o counts exactly with the shared rank files.
            "LLM_COST_TOKENIZERS": CLIRunner.sharedDirectory.appendingPathComponent("tokenizers").path,
        ]
    }

    /// Long words: the simulator's count (characters / 4) runs well above the heuristic's.
    private let text = String(repeating: "Summarize the quarterly revenue report, please. ", count: 12)

    private func model(_ json: [String: Any], _ name: String) throws -> [String: Any] {
        let models = try #require(json["models"] as? [[String: Any]])
        return try #require(models.first { $0["model"] as? String == name }, "no row for \(name) in \(models)")
    }

    private func accuracy(_ arguments: [String], home: URL) async throws -> [String: Any] {
        let result = try await CLIRunner.run(["report", "accuracy", "--format", "json"] + arguments, home: home)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    @Test func accuracyShowsRawAndCorrectedErrorAndCorrectsHeuristicModelsOnly() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        for _ in 0..<5 {
            for arguments in [["--provider", "anthropic"], ["--provider", "openai", "--model", "gpt-4o"]] {
                let result = try await CLIRunner.run(["prompt"] + arguments + [text], home: home, environment: environment(simulator))
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
        let learned = try await accuracy([], home: home)
        let claude = try model(learned, "claude-sonnet-4-5")
        #expect(claude["calls"] as? Int == 5)
        #expect(claude["heuristic_calls"] as? Int == 5)
        let correction = try #require(claude["correction"] as? [String: Any])
        #expect(correction["active"] as? Bool == true)
        #expect(correction["samples"] as? Int == 5)
        let factor = try #require(correction["factor"] as? Double)
        let rawBias = try #require((claude["raw"] as? [String: Any])?["median_bias_percent"] as? Double)
        #expect(factor > 1.1 && factor < 1.99, "factor \(factor)")
        // The same prompt each time: the factor is exactly what undoes the raw bias.
        #expect(abs(factor * (1 + rawBias / 100) - 1) < 0.01, "factor \(factor), raw bias \(rawBias)%")
        // gpt-4o is counted exactly: never corrected, nothing to learn.
        let gpt = try model(learned, "gpt-4o")
        #expect(gpt["heuristic_calls"] as? Int == 0)
        #expect(gpt["correction"] is NSNull)

        // The next call, in yet another process, uses the correction: alone in its window, its
        // corrected error is near zero while its raw error stays.
        let next = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1).rounded(.up))
        try await Task.sleep(for: .milliseconds(max(0, Int(next.timeIntervalSinceNow * 1000) + 1)))
        let since = ISO8601DateFormatter().string(from: next)
        let call = try await CLIRunner.run(["prompt", "--provider", "anthropic", text], home: home, environment: environment(simulator))
        #expect(call.status == 0, "\(call.stderr)")
        let after = try model(try await accuracy(["--since", since], home: home), "claude-sonnet-4-5")
        #expect(after["calls"] as? Int == 1)
        let corrected = try #require((after["corrected"] as? [String: Any])?["median_error_percent"] as? Double)
        let raw = try #require((after["raw"] as? [String: Any])?["median_error_percent"] as? Double)
        #expect(corrected < 1, "corrected error \(corrected)%")
        #expect(raw > 5, "raw error \(raw)%")

        let table = try await CLIRunner.run(["report", "accuracy"], home: home)
        #expect(table.status == 0, "\(table.stderr)")
        // The old mode flag still works, says it is deprecated, and prints the same.
        let deprecated = try await CLIRunner.run(["report", "--accuracy"], home: home)
        #expect(deprecated.status == 0 && deprecated.stdout == table.stdout, "\(deprecated.stderr)")
        #expect(deprecated.stderr.contains("deprecated; use `llm-cost report accuracy`"), "\(deprecated.stderr)")
        #expect(table.stdout.contains("as corrected"))
        let claudeLine = try #require(table.stdout.split(separator: "\n").first { $0.contains("claude-sonnet-4-5") })
        #expect(claudeLine.contains("±"), "an active correction shows its band: \(claudeLine)")
        let gptLine = try #require(table.stdout.split(separator: "\n").first { $0.contains("gpt-4o") })
        #expect(gptLine.hasSuffix("exact    -"), "\(gptLine)")
        let wrongFormat = try await CLIRunner.run(["report", "--accuracy", "--format", "csv"], home: home)
        #expect(wrongFormat.status == 2)
        #expect(wrongFormat.stderr.contains("table or json"), "\(wrongFormat.stderr)")
        let wrongSubcommandFormat = try await CLIRunner.run(["report", "accuracy", "--format", "csv"], home: home)
        #expect(wrongSubcommandFormat.status == 2)
        #expect(wrongSubcommandFormat.stderr.contains("Usage: llm-cost report accuracy"), "\(wrongSubcommandFormat.stderr)")
    }
}
