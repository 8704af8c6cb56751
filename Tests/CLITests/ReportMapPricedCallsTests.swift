import Foundation
import Testing

/// `report` counts the calls priced from the LiteLLM map apart from those the curated table
/// priced: a footer line under the table, `map_priced_calls` in JSON.
@Suite struct ReportMapPricedCallsTests {
    static let lines = [
        // Priced from the map on import (no cost given): two OpenRouter open-weight models.
        #"{"ts":"2026-11-25T10:00:00Z","provider":"openrouter","model":"z-ai/glm-4.6","agent":"a","input_tokens":1000000,"tags":{"team":"x"}}"#,
        #"{"ts":"2026-11-25T11:00:00Z","provider":"openrouter","model":"qwen/qwen3-coder","agent":"b","input_tokens":1000000}"#,
        #"{"ts":"2026-11-26T09:00:00Z","provider":"openrouter","model":"z-ai/glm-4.6","agent":"b","input_tokens":500000}"#,
        // Curated, unpriced, and a cost given with the map's label (an export of such a call).
        #"{"ts":"2026-11-25T12:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","agent":"a","input_tokens":1000}"#,
        #"{"ts":"2026-11-25T13:00:00Z","provider":"acme","model":"mystery","agent":"a","input_tokens":10}"#,
        #"{"ts":"2026-11-27T08:00:00Z","provider":"openrouter","model":"z-ai/glm-4.7","agent":"a","input_tokens":10,"cost_usd":"0.000010000","pricing_entry":"litellm@2026-11-20:zai/glm-4.7"}"#,
    ]

    private func report(_ arguments: [String], home: URL) async throws -> (CLIRunner.Result, [String: Any]?) {
        let result = try await CLIRunner.run(["report", "--tz", "UTC"] + arguments, home: home)
        let object = arguments.contains("json") ? try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] : nil
        return (result, object)
    }

    @Test func reportsCountCallsPricedFromTheMapInTheWindowAndFilters() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let imported = try await CLIRunner.run(["import", "-"], stdin: Self.lines.joined(separator: "\n"), home: home)
        #expect(imported.status == 0, "\(imported.stderr)")

        let (table, _) = try await report([], home: home)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("\n4 calls priced from the LiteLLM map (models not in the curated table;"))
        #expect(table.stdout.contains("1 call unpriced"))

        let (_, all) = try await report(["--format", "json"], home: home)
        #expect(all?["map_priced_calls"] as? Int == 4)
        #expect((all?["total"] as? [String: Any])?["calls"] as? Int == 6)
        // The window, name filters and tag filters apply as they do to the sums.
        #expect(try await report(["--format", "json", "--since", "2026-11-25T10:30:00Z", "--until", "2026-11-26T00:00:00Z"], home: home).1?["map_priced_calls"] as? Int == 1)
        #expect(try await report(["--format", "json", "--agent", "b"], home: home).1?["map_priced_calls"] as? Int == 2)
        #expect(try await report(["--format", "json", "--provider", "anthropic"], home: home).1?["map_priced_calls"] as? Int == 0)
        #expect(try await report(["--format", "json", "--tag", "team=x", "--by", "model,tag:team"], home: home).1?["map_priced_calls"] as? Int == 1)

        // No map-priced call: no footer line, and 0 in JSON.
        let (curatedOnly, _) = try await report(["--provider", "anthropic"], home: home)
        #expect(!curatedOnly.stdout.contains("priced from the LiteLLM map"))
        let markdown = try await CLIRunner.run(["report", "--format", "markdown"], home: home)
        #expect(markdown.stdout.contains("4 calls priced from the LiteLLM map"))
    }
}
