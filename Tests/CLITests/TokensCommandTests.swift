import Foundation
import Testing

/// `llm-cost tokens`, run as the built binary.
@Suite struct TokensCommandTests {
    var tokenizers: String { CLIRunner.sharedDirectory.appendingPathComponent("tokenizers").path }

    @Test func countsFilesAndStandardInputWithATotal() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent("a.txt")
        try Data("hello world".utf8).write(to: file)
        let result = try await CLIRunner.run(
            ["tokens", "--encoding", "cl100k_base", file.path, "-"], stdin: "Hello, World!", home: home,
            environment: ["LLM_COST_TOKENIZERS": tokenizers])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "2\t\(file.path)\n4\t-\n6\ttotal\n")
    }

    @Test func printsIdsAndJSON() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let ids = try await CLIRunner.run(["tokens", "--model", "gpt-4o-mini", "--ids", "-"], stdin: "hello world", home: home,
                                    environment: ["LLM_COST_TOKENIZERS": tokenizers])
        #expect(ids.status == 0)
        #expect(ids.stdout == "24912 2375\t-\n")
        let json = try await CLIRunner.run(["tokens", "--format", "json", "--encoding", "p50k_base"], stdin: "hello world", home: home,
                                     environment: ["LLM_COST_TOKENIZERS": tokenizers])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["total"] as? Int == 2)
        #expect(object?["exact"] as? Bool == true)
        #expect(object?["encoding"] as? String == "p50k_base")
    }

    @Test func modelsWithoutATokenizerGetAFlaggedEstimate() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await CLIRunner.run(["tokens", "--model", "claude-sonnet-4-5", "--format", "json"],
                                       stdin: "The quick brown fox jumps over the lazy dog.", home: home)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["exact"] as? Bool == false)
        let low = try #require(object?["low"] as? Int), high = try #require(object?["high"] as? Int)
        #expect(low <= 10 && 10 <= high)
        #expect(result.stderr.contains("estimate"))
    }

    @Test func missingRankFilesExplainWhereItLookedAndFallBack() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await CLIRunner.run(["tokens", "--encoding", "o200k_base"], stdin: "hello world", home: home)
        #expect(result.status == 0)
        #expect(result.stderr.contains("LLM_COST_TOKENIZERS"))
        #expect(result.stderr.contains("heuristic"))
        let ids = try await CLIRunner.run(["tokens", "--ids"], stdin: "hello world", home: home)
        #expect(ids.status == 1)
    }

    @Test func badUsageExitsTwoAndMissingFilesOne() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["LLM_COST_TOKENIZERS": tokenizers]
        let unknown = try await CLIRunner.run(["tokens", "--encoding", "r2d2"], stdin: "", home: home, environment: environment)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("cl100k_base"))
        let both = try await CLIRunner.run(["tokens", "--encoding", "cl100k_base", "--model", "gpt-4o"], stdin: "", home: home, environment: environment)
        #expect(both.status == 2)
        let missing = try await CLIRunner.run(["tokens", home.appendingPathComponent("nope.txt").path], home: home, environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.txt"))
    }
}
