import Foundation
import Testing
@testable import LLMCostPricing

@Suite struct DefaultTableTests {
    @Test func loadsWithoutIssues() {
        let issues = PriceTableLoader.validate(user: [])
        #expect(issues.isEmpty, "\(issues.map(\.description).joined(separator: "\n"))")
    }

    @Test func embeddedCopyEqualsEveryFileInPricingFolder() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: pricingDirectory.path)
            .filter { $0.hasSuffix(".toml") }.sorted()
        let embedded = DefaultPricingFiles.all.map(\.name).sorted()
        #expect(onDisk == embedded, "register new pricing/*.toml files in DefaultPricingFiles.swift")
        for file in DefaultPricingFiles.all {
            let disk = try Data(contentsOf: pricingDirectory.appendingPathComponent(file.name))
            #expect(Array(disk) == file.bytes, "\(file.name): the embedded copy is stale; rebuild")
        }
        // The LiteLLM snapshot is embedded apart, as a string literal (see Package.swift).
        let snapshot = try String(
            contentsOf: pricingDirectory.appendingPathComponent(LiteLLMSnapshot.fileName), encoding: .utf8)
        #expect(snapshot == PriceTableLoader.defaultSnapshotSource.text, "the embedded LiteLLM snapshot is stale; rebuild")
    }

    @Test(arguments: [
        ("anthropic", "claude-opus-4-5"), ("anthropic", "claude-opus-4-1"), ("anthropic", "claude-sonnet-4-5"),
        ("anthropic", "claude-sonnet-4"), ("anthropic", "claude-3-7-sonnet"), ("anthropic", "claude-haiku-4-5"),
        ("anthropic", "claude-3-5-haiku"), ("openai", "gpt-5"), ("openai", "gpt-5-mini"), ("openai", "gpt-5-nano"),
        ("openai", "gpt-4.1"), ("openai", "gpt-4.1-mini"), ("openai", "gpt-4o"), ("openai", "gpt-4o-mini"),
        ("openai", "o1"), ("openai", "o3"), ("openai", "o4-mini"), ("openai", "gpt-4"), ("openai", "gpt-3.5-turbo"),
        ("openai", "text-embedding-3-small"), ("google", "gemini-2.5-pro"), ("google", "gemini-2.5-flash"),
        ("google", "gemini-2.0-flash"), ("mistral", "mistral-large-latest"), ("deepseek", "deepseek-chat"),
        ("xai", "grok-4"), ("openrouter", "anthropic/claude-sonnet-4.5"), ("azure", "gpt-4o"), ("ollama", "llama3.1:8b"),
        ("vllm", "meta-llama/Llama-3.1-8B-Instruct"),
    ])
    func coversTheIssuesModels(provider: String, model: String) throws {
        #expect(try defaultTable.model(provider: provider, model: model) != nil)
    }

    @Test func everyEntryHasASourceAndProvidersWithHistoryHaveEarlierEntries() throws {
        let table = try defaultTable
        for model in table.models {
            for entry in model.entries { #expect(entry.source.hasPrefix("https://"), "\(entry.id)") }
        }
        let changed = table.models.filter { $0.entries.count > 1 }.map { "\($0.provider)/\($0.id)" }
        #expect(changed.contains("openai/o3"))
        #expect(changed.contains("deepseek/deepseek-chat"))
        #expect(changed.contains("google/gemini-2.5-flash"))
    }
}
