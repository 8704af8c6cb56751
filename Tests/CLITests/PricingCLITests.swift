import Foundation
import Testing

/// The `cost` and `pricing` commands, run as the built binary.
@Suite struct PricingCLITests {
    private func run(_ arguments: [String], home: URL) async throws -> CLIRunner.Result {
        try await CLIRunner.run(arguments, home: home)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func costPrintsExactJSONWithBreakdown() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await run(
            [
                "cost", "--model", "claude-sonnet-4-5-20250929", "--provider", "anthropic", "--at", "2025-10-01T12:00:00Z",
                "--input", "1000", "--output", "500", "--cache-read", "2000", "--cache-write-5m", "100",
                "--cache-write-1h", "50", "--web-search", "3", "--format", "json",
            ], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        #expect(object["provider"] as? String == "anthropic")
        #expect(object["model"] as? String == "claude-sonnet-4-5")
        #expect(object["cost_usd"] as? String == "0.041775000")
        let entry = try #require(object["entry"] as? [String: Any])
        #expect(entry["id"] as? String == "anthropic/claude-sonnet-4-5@2025-09-29")
        #expect(entry["effective_from"] as? String == "2025-09-29")
        let breakdown = try #require(object["breakdown"] as? [String: String])
        #expect(breakdown["input"] == "0.003000000")
        #expect(breakdown["output"] == "0.007500000")
        #expect(breakdown["cache_read"] == "0.000600000")
        #expect(breakdown["cache_write"] == "0.000675000")
        #expect(breakdown["web_search"] == "0.030000000")
        // Costs are strings, never JSON numbers.
        #expect(!result.stdout.contains("\"cost_usd\" : 0"))
    }

    @Test func costUsesTheEntryInForceAtTheGivenTime() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let arguments = ["cost", "--model", "o3", "--input", "1000000", "--output", "1000000", "--format", "json"]
        let before = try json(try await run(arguments + ["--at", "2025-06-09T23:59:59Z"], home: home).stdout)
        let after = try json(try await run(arguments + ["--at", "2025-06-10T00:00:00Z"], home: home).stdout)
        #expect(before["cost_usd"] as? String == "50.000000000")
        #expect(after["cost_usd"] as? String == "10.000000000")
    }

    @Test func theBinaryCarriesItsTableWhenCopiedAnywhere() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let copy = home.appendingPathComponent("elsewhere/llm-cost")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLIRunner.binaryURL, to: copy)
        let process = Process()
        process.executableURL = copy
        process.arguments = ["cost", "--model", "gpt-5", "--input", "1000000", "--at", "2025-09-01", "--format", "json"]
        process.currentDirectoryURL = home
        process.environment = ["HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path]
        let output = home.appendingPathComponent("out.json")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        #expect(process.terminationStatus == 0)
        #expect(try json(String(decoding: try Data(contentsOf: output), as: UTF8.self))["cost_usd"] as? String == "1.250000000")
    }

    @Test func unknownModelExitsOneWithAClearMessage() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await run(["cost", "--model", "gpt-99-ultra", "--input", "10"], home: home)
        #expect(result.status == 1)
        #expect(result.stderr.contains("unknown model gpt-99-ultra"))
        #expect(result.stderr.contains("no provider's bare names include gpt-99-ultra"))
        #expect(result.stdout.isEmpty)
    }

    @Test func badFlagsAreUsageErrors() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        // 2 once the root command maps ArgumentParser's usage errors (64) to 2.
        for arguments in [
            ["cost", "--model", "gpt-5", "--service-tier", "turbo"],
            ["cost", "--model", "gpt-5", "--at", "yesterday-ish"],
            ["cost", "--model", "gpt-5", "--output", "1", "--reasoning", "5"],
        ] {
            let result = try await run(arguments, home: home)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test func resolveExplainsWhy() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await run(["pricing", "resolve", "openrouter/anthropic/claude-sonnet-4.5", "--at", "2025-10-01"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("→ anthropic/claude-sonnet-4-5"))
        #expect(result.stdout.contains("bills the vendor's price"))
        #expect(result.stdout.contains("entry in force at 2025-10-01: anthropic/claude-sonnet-4-5@2025-09-29"))
        let miss = try await run(["pricing", "resolve", "llama3", "--provider", "anthropic"], home: home)
        #expect(miss.status == 1)
        #expect(miss.stderr.contains("anthropic has no model llama3"))
    }

    @Test func listShowAndHistory() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let list = try await run(["pricing", "list", "--provider", "openai", "--format", "json"], home: home)
        #expect(list.status == 0, "\(list.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.contains { $0["model"] as? String == "gpt-5" && $0["input"] as? String == "1.25" })
        #expect(rows.allSatisfy { $0["provider"] as? String == "openai" })

        let viaAlias = try await run(["pricing", "list", "--provider", "Gemini"], home: home)
        #expect(viaAlias.status == 0)
        #expect(viaAlias.stdout.contains("google    gemini-2.5-pro"))
        #expect(!viaAlias.stdout.contains("openai"))
        let unknown = try await run(["pricing", "list", "--provider", "acme"], home: home)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no pricing file for \"acme\""))

        let show = try await run(["pricing", "show", "gemini-2.5-pro", "--provider", "gemini"], home: home)
        #expect(show.status == 0)
        #expect(show.stdout.contains("above 200000  in 2.5 / out 15"))
        #expect(show.stdout.contains("priority ×1.8"))

        let history = try await run(["pricing", "history", "deepseek-chat"], home: home)
        #expect(history.status == 0)
        #expect(history.stdout.contains("3 entries"))
        #expect(history.stdout.contains("2025-02-08T16:00:00Z → 2025-09-29"))
    }

    @Test func userFolderOverridesAndValidateReportsLines() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent("config/llm-cost/pricing")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
        provider = "openai"
        [[model]]
        id = "gpt-4o"
        [[price]]
        model = "gpt-4o"
        effective_from = 2024-01-01
        source = "https://contracts.example.com/openai"
        input = "2"
        output = "8"
        """.write(to: folder.appendingPathComponent("negotiated.toml"), atomically: true, encoding: .utf8)
        let cost = try await run(["cost", "--model", "gpt-4o", "--input", "1000000", "--at", "2025-01-01", "--format", "json"], home: home)
        #expect(try json(cost.stdout)["cost_usd"] as? String == "2.000000000")
        #expect(try await run(["pricing", "validate"], home: home).stdout.contains("1 user file(s)"))

        // --pricing-dir points elsewhere: the default XDG folder is then not read.
        let other = home.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try """
        provider = "openai"
        [[model]]
        id = "gpt-4o"
        [[price]]
        model = "gpt-4o"
        effective_from = 2024-01-01
        source = "https://contracts.example.com/openai"
        input = "-2"
        output = 8.0
        """.write(to: other.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let validate = try await run(["pricing", "validate", "--pricing-dir", other.path], home: home)
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("broken.toml:8: `input` must not be negative"))
        #expect(validate.stdout.contains("broken.toml:9: `output` is a float"))
        let refused = try await run(["cost", "--model", "gpt-4o", "--pricing-dir", other.path], home: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("broken.toml:8"))
    }

    @Test func importFromLiteLLMShowsDiffThenWritesValidUserFiles() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let map = home.appendingPathComponent("prices.json")
        try """
        {
          "sample_spec": {"litellm_provider": "openai", "mode": "chat"},
          "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
                     "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06},
          "gpt-4.1": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1.8e-06,
                      "output_cost_per_token": 8e-06, "input_cost_per_token_batches": 9e-07,
                      "output_cost_per_token_batches": 4e-06},
          "gemini/gemini-9-flash": {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1e-07,
                      "output_cost_per_token": 4e-07, "input_cost_per_token_above_200k_tokens": 2e-07,
                      "output_cost_per_token_above_200k_tokens": 8e-07},
          "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04}
        }
        """.write(to: map, atomically: true, encoding: .utf8)
        let dryRun = try await run(["pricing", "import", "--litellm", map.path, "--include-new", "--dry-run", "--effective-from", "2026-01-01"], home: home)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("~ openai/gpt-4.1  input 2 → 1.8"))
        #expect(dryRun.stdout.contains("+ google/gemini-9-flash"))
        #expect(dryRun.stdout.contains("1 changed, 1 new, 1 unchanged, 2 skipped"))
        let folder = home.appendingPathComponent("config/llm-cost/pricing")
        #expect(!FileManager.default.fileExists(atPath: folder.path))

        let written = try await run(["pricing", "import", "--litellm", map.path, "--include-new", "--effective-from", "2026-01-01"], home: home)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("litellm-openai.toml").path))
        let before = try await run(["cost", "--model", "gpt-4.1", "--input", "1000000", "--at", "2025-12-31T23:59:59Z"], home: home)
        let after = try json(try await run(["cost", "--model", "gpt-4.1", "--input", "1000000", "--at", "2026-01-01", "--service-tier", "batch", "--format", "json"], home: home).stdout)
        // The imported entry replaces the history: before its start the model has no entry.
        #expect(before.status == 1)
        #expect(before.stderr.contains("openai/gpt-4.1 has no price entry in force at 2025-12-31T23:59:59Z"))
        #expect(after["cost_usd"] as? String == "0.900000000")
        let tiered = try json(try await run(["cost", "--model", "gemini-9-flash", "--provider", "gemini", "--input", "300000", "--at", "2026-02-01", "--format", "json"], home: home).stdout)
        #expect(tiered["cost_usd"] as? String == "0.060000000")
    }
}
