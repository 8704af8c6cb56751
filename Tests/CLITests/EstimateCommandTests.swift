import Foundation
import Testing

/// `llm-cost estimate`, the built binary: exact input for tokenizer models, the heuristic corrected
/// from the ledger otherwise, expected output from recorded calls, and the worst case priced.
@Suite struct EstimateCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func exactModelsCountWithTheirTokenizerAndPriceTheWorstCase() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let prompt = home.appendingPathComponent("prompt.txt")
        try "Summarize the quarterly report in three bullet points, please.".write(to: prompt, atomically: true, encoding: .utf8)
        let environment = ["LLM_COST_TOKENIZERS": CLIRunner.sharedDirectory.appendingPathComponent("tokenizers").path]
        let counted = try await CLIRunner.run(["tokens", "--model", "gpt-4o", prompt.path], home: home, environment: environment)
        let textTokens = try #require(Int(counted.stdout.split(separator: "\t").first ?? ""))

        let result = try await CLIRunner.run(
            ["estimate", "--model", "gpt-4o", "--max-tokens", "500", "--format", "json", prompt.path], home: home, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let estimate = try json(result.stdout)
        #expect(estimate["input_exact"] as? Bool == true)
        // One user message: its text, 3 tokens of framing, 3 to prime the reply (OpenAI's cookbook).
        #expect(estimate["input_tokens"] as? Int == textTokens + 6)
        #expect(estimate["input_tokens_high"] as? Int == textTokens + 6)
        #expect(estimate["max_output_tokens"] as? Int == 500)
        let priced = try await CLIRunner.run(
            ["cost", "--model", "gpt-4o", "--input", "\(textTokens + 6)", "--output", "500", "--format", "json"], home: home)
        let cost = try json(priced.stdout)
        #expect(estimate["worst_case_cost_usd"] as? String == cost["cost_usd"] as? String, "\(priced.stdout)")
    }

    @Test func heuristicModelsLearnFromTheLedgerAndUnknownModelsStayUnpriced() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        // Six recorded calls whose heuristic counted 100 where the provider billed 125, each
        // answering with 200 output tokens: the correction is x1.25, the expected output 200.
        let lines = (0..<6).map { index in
            #"{"ts":"\#(Timestamp.now(minusHours: index + 1))","provider":"anthropic","model":"claude-sonnet-4-5","request_id":"r\#(index)","input_tokens":125,"output_tokens":200,"usage_source":"reported","estimated_input_tokens":100,"heuristic_input_tokens":100,"heuristic_correction_ppm":1000000}"#
        }
        #expect(try await CLIRunner.run(["import", "-"], stdin: lines.joined(separator: "\n"), home: home).status == 0)
        let prompt = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 40)
        let learned = try json(try await CLIRunner.run(
            ["estimate", "--model", "claude-sonnet-4-5", "--format", "json", "-"], stdin: prompt, home: home).stdout)
        let fresh = try json(try await CLIRunner.run(
            ["estimate", "--model", "claude-sonnet-4-5", "--format", "json", "--db", home.appendingPathComponent("empty.sqlite").path, "-"],
            stdin: prompt, home: home).stdout)
        #expect(learned["input_exact"] as? Bool == false)
        #expect(learned["correction_factor"] as? String == "1.250000")
        #expect(learned["correction_samples"] as? Int == 6)
        let raw = try #require(fresh["input_tokens"] as? Int)
        #expect(learned["input_tokens"] as? Int == Int((Double(raw) * 1.25).rounded()))
        #expect(learned["expected_output_tokens"] as? Int == 200)
        #expect(learned["expected_output_basis"] as? String == "mean of 6 calls in the last 30 days")
        #expect(fresh["expected_output_tokens"] is NSNull)
        #expect(learned["expected_cost_usd"] is String)

        let unknown = try await CLIRunner.run(["estimate", "--model", "mystery-model-9", "-"], stdin: prompt, home: home)
        #expect(unknown.status == 0)
        #expect(unknown.stdout.contains("unpriced"), "\(unknown.stdout)")
        let bad = try await CLIRunner.run(["estimate", "--model", "gpt-4o", "--max-tokens", "0", "-"], stdin: prompt, home: home)
        #expect(bad.status == 2)
    }
}

private enum Timestamp {
    /// An ISO 8601 time `hours` before now, in UTC.
    static func now(minusHours hours: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date().addingTimeInterval(Double(-hours) * 3600))
    }
}
