import Foundation
import Testing

/// The LiteLLM map snapshot through the built binary: pricing a model the curated table lacks,
/// explaining it, and replacing the snapshot with `pricing update --litellm`.
@Suite struct PricingSnapshotCLITests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aModelOnlyTheMapKnowsIsPricedAndLabelled() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let cost = try await CLIRunner.run(
            ["cost", "--provider", "openrouter", "--model", "z-ai/glm-4.6", "--input", "1000000", "--output", "1000000", "--format", "json"],
            home: home)
        #expect(cost.status == 0, "\(cost.stderr)")
        let object = try json(cost.stdout)
        #expect(object["cost_usd"] as? String == "2.800000000")  // $0.60 + $2.20
        #expect((object["entry"] as? [String: Any])?["id"] as? String == "litellm@2026-11-20:zai/glm-4.6")

        let resolve = try await CLIRunner.run(["pricing", "resolve", "z-ai/glm-4.6", "--provider", "openrouter"], home: home)
        #expect(resolve.status == 0, "\(resolve.stderr)")
        #expect(resolve.stdout.contains("→ litellm/zai/glm-4.6"))
        #expect(resolve.stdout.contains("not in the curated table: priced from the LiteLLM map snapshot of 2026-11-20, key zai/glm-4.6"))
    }

    @Test func updateConvertsANewerMapIntoTheUserFolderAndSaysWhatChanged() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let map = home.appendingPathComponent("model_prices.json")
        // glm-4.6 at a new price, a model the built-in snapshot lacks, and a non-text model.
        try """
        {
          "sample_spec": {"mode": "one of: chat, embedding"},
          "zai/glm-4.6": {"litellm_provider": "zai", "mode": "chat", "input_cost_per_token": 5e-07,
                          "output_cost_per_token": 2e-06, "cache_creation_input_token_cost": 0},
          "acme/brand-new-1": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 1e-06,
                               "output_cost_per_token": 3e-06},
          "acme/painter": {"litellm_provider": "acme", "mode": "image_generation", "output_cost_per_image": 0.04}
        }
        """.write(to: map, atomically: true, encoding: .utf8)
        let folder = home.appendingPathComponent("config/llm-cost/pricing")

        let dryRun = try await CLIRunner.run(["pricing", "update", "--litellm", map.path, "--date", "2026-12-01", "--dry-run"], home: home)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("2 models kept, 2 skipped"))
        #expect(dryRun.stdout.contains("against the snapshot of 2026-11-20 (litellm-snapshot.tsv): 1 added, 1 changed,"))
        #expect(!FileManager.default.fileExists(atPath: folder.path))

        let update = try await CLIRunner.run(["pricing", "update", "--litellm", map.path, "--date", "2026-12-01"], home: home)
        #expect(update.status == 0, "\(update.stderr)")
        let written = folder.appendingPathComponent("litellm-snapshot.tsv")
        #expect(update.stdout.contains("wrote \(written.path)"))
        #expect(try String(contentsOf: written, encoding: .utf8).contains("litellm-snapshot\t1\t2026-12-01\n"))

        // The user folder's snapshot replaces the built-in one.
        let cost = try json(try await CLIRunner.run(
            ["cost", "--provider", "zai", "--model", "glm-4.6", "--input", "1000000", "--cache-write-5m", "1000000", "--format", "json"],
            home: home).stdout)
        #expect(cost["cost_usd"] as? String == "1.000000000")  // $0.50 input + the $0 cache write billed as input
        #expect((cost["entry"] as? [String: Any])?["id"] as? String == "litellm@2026-12-01:zai/glm-4.6")
        let newModel = try await CLIRunner.run(["cost", "--provider", "acme", "--model", "brand-new-1", "--input", "1000000"], home: home)
        #expect(newModel.status == 0, "\(newModel.stderr)")
        let gone = try await CLIRunner.run(["cost", "--provider", "openrouter", "--model", "qwen/qwen3-coder", "--input", "1"], home: home)
        #expect(gone.status == 1)
        let validate = try await CLIRunner.run(["pricing", "validate"], home: home)
        #expect(validate.stdout.contains("LiteLLM map snapshot of 2026-12-01 (\(written.path)): 2 models"))

        // Running it again changes nothing.
        let again = try await CLIRunner.run(["pricing", "update", "--litellm", map.path, "--date", "2026-12-01"], home: home)
        #expect(again.stdout.contains("0 added, 0 changed, 0 removed"))
    }

    @Test func updateRefusesAFileThatIsNotAPriceMap() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent("pricing")
        for (name, text, reason) in [
            ("truncated.json", "{\"gpt-4o\": {\"mode\": ", "not valid JSON"),
            ("list.json", "[1, 2, 3]", "expected a JSON object of model → prices"),
            ("empty.json", "{\"a\": {\"mode\": \"embedding\"}}", "no chat, completion or responses model"),
        ] {
            let file = home.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            let result = try await CLIRunner.run(["pricing", "update", "--litellm", file.path, "--pricing-dir", folder.path], home: home)
            #expect(result.status == 1, "\(name): \(result.status)")
            #expect(result.stderr.contains("cannot import \(file.path): \(reason)"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("litellm-snapshot.tsv").path))
        }
        let missing = try await CLIRunner.run(["pricing", "update", "--litellm", home.appendingPathComponent("nope.json").path], home: home)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read LiteLLM map"))
        let badDate = try await CLIRunner.run(["pricing", "update", "--litellm", "x.json", "--date", "yesterday"], home: home)
        #expect(badDate.status == 2)
    }

    @Test func validateNamesTheLineOfADamagedUserSnapshot() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent("pricing")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("litellm-snapshot.tsv")
        try "litellm-snapshot\t1\t2026-12-01\nacme/a\tacme\t1\t2\nacme/b\tacme\t1\tcheap\n".write(to: file, atomically: true, encoding: .utf8)
        let validate = try await CLIRunner.run(["pricing", "validate", "--pricing-dir", folder.path], home: home)
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("\(file.path):3: acme/b: output \"cheap\" is not a decimal price"))
        // The lines that parse still price; the damaged one is unpriced, never $0.
        #expect(try await CLIRunner.run(["cost", "--provider", "acme", "--model", "a", "--input", "1", "--pricing-dir", folder.path], home: home).status == 0)
        #expect(try await CLIRunner.run(["cost", "--provider", "acme", "--model", "b", "--input", "1", "--pricing-dir", folder.path], home: home).status == 1)
    }
}
