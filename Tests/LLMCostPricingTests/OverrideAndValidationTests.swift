import Foundation
import LLMCostCore
import Testing
@testable import LLMCostPricing

@Suite struct OverrideTests {
    @Test func userFolderReplacesAModelsPricesAndAddsModels() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pricing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        # Our negotiated Anthropic rate, and an internal gateway model.
        provider = "anthropic"

        [[model]]
        id = "claude-sonnet-4-5"
        aliases = ["sonnet-prod"]

        [[price]]
        model = "claude-sonnet-4-5"
        effective_from = 2025-01-01
        source = "https://contracts.example.com/anthropic-2025"
        input = "2.40"
        output = "12"
        cache_read = "0.24"
        """.write(to: folder.appendingPathComponent("anthropic-negotiated.toml"), atomically: true, encoding: .utf8)
        try """
        provider = "gateway"
        [[model]]
        id = "house-model"
        [[price]]
        model = "house-model"
        effective_from = "2025-06-01T12:00:00Z"
        source = "https://wiki.example.com/gateway"
        input = "1"
        output = "2"
        """.write(to: folder.appendingPathComponent("gateway.toml"), atomically: true, encoding: .utf8)
        try "not a pricing file".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let table = try PriceTableLoader.load(userDirectory: folder)
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        let negotiated = try table.cost(provider: "anthropic", model: "claude-sonnet-4-5-20250929", usage: usage, at: utc("2025-10-01"))
        #expect(negotiated.cost == money("14.40"))
        #expect(negotiated.entry.location.file.hasSuffix("anthropic-negotiated.toml"))
        // The default aliases are kept, the user's are added; the whole history is the user's.
        #expect(try table.resolve(provider: "anthropic", model: "sonnet-prod")?.model.id == "claude-sonnet-4-5")
        #expect(try table.cost(provider: "anthropic", model: "claude-sonnet-4-5", usage: usage, at: utc("2025-02-01")).cost == money("14.40"))
        // Other models are untouched.
        #expect(try table.cost(provider: "anthropic", model: "claude-haiku-4-5", usage: usage, at: utc("2025-11-01")).cost == money("6"))
        // New provider and model, with a date-time start.
        #expect(throws: PricingError.self) {
            try table.cost(provider: "gateway", model: "house-model", usage: usage, at: utc("2025-06-01T11:59:59Z"))
        }
        #expect(try table.cost(provider: "gateway", model: "house-model", usage: usage, at: utc("2025-06-01T12:00:00Z")).cost == money("3"))
    }

    @Test func deploymentNamesPriceAsCatalogueModelsWithSameAs() throws {
        let deployments = PricingSource(
            name: "azure-deployments.toml",
            text: """
                provider = "azure"
                [[model]]
                id = "prod-chat"
                same_as = "gpt-4o"
                [[model]]
                id = "batch-summaries"
                same_as = "openai/gpt-4.1-mini"
                """)
        let table = try PriceTableLoader.load(user: [deployments])
        let resolution = try #require(table.resolve(provider: "azure", model: "prod-chat"))
        #expect("\(resolution.model.provider)/\(resolution.model.id)" == "openai/gpt-4o")
        #expect(resolution.steps.contains { $0.contains("priced as azure/gpt-4o (same_as)") })
        #expect(table.model(provider: "azure", model: "batch-summaries")?.id == "gpt-4.1-mini")
        let cost = try table.cost(provider: "azure", model: "prod-chat", usage: Usage(inputTokens: 1_000_000), at: utc("2025-01-01"))
        #expect(cost.cost == money("2.5"))

        let broken = PricingSource(
            name: "broken.toml",
            text: """
                provider = "azure"
                [[model]]
                id = "nowhere"
                same_as = "gpt-99"
                [[model]]
                id = "both"
                same_as = "gpt-4o"
                [[price]]
                model = "both"
                effective_from = 2025-01-01
                source = "https://example.com"
                input = "1"
                output = "1"
                """)
        let issues = PriceTableLoader.validate(user: [broken]).map(\.description)
        #expect(issues.contains { $0.hasPrefix("broken.toml:2: same_as = \"gpt-99\" of nowhere does not resolve") })
        #expect(issues.contains { $0.hasPrefix("broken.toml:5: model both has same_as") })
    }

    @Test func xdgConfigHomeIsTheDefaultUserFolder() {
        let folder = PriceTableLoader.userDirectory(environment: ["XDG_CONFIG_HOME": "/tmp/xdg", "HOME": "/home/u"])
        #expect(folder.path == "/tmp/xdg/llm-cost/pricing")
        let fallback = PriceTableLoader.userDirectory(environment: ["HOME": "/home/u"])
        #expect(fallback.path == "/home/u/.config/llm-cost/pricing")
        let explicit = PriceTableLoader.userDirectory(override: URL(fileURLWithPath: "/etc/prices"), environment: [:])
        #expect(explicit.path == "/etc/prices")
    }
}

@Suite struct ValidationTests {
    func issues(_ text: String) -> [String] {
        PriceTableLoader.validate(defaults: [], user: [PricingSource(name: "bad.toml", text: text)]).map(\.description)
    }

    @Test func reportsEachProblemWithFileAndLine() {
        let found = issues(
            """
            provider = "acme"
            colour = "blue"

            [[model]]
            id = "m1"

            [[price]]
            model = "m1"
            effective_from = 2025-01-01
            effective_until = 2025-07-01
            source = "https://acme.example/prices"
            input = "-1"
            output = 2.5
            cache_red = "0.1"

            [[price]]
            model = "m1"
            effective_from = 2025-03-01
            source = "https://acme.example/prices"
            input = "1"

            [[price]]
            model = "m2"
            effective_from = 2025-03-01
            source = "https://acme.example/prices"
            input = "1"
            output = "1"
            """)
        let expected = [
            "bad.toml:2: unknown field `colour`",
            "bad.toml:12: `input` must not be negative",
            "bad.toml:13: `output` is a float",
            "bad.toml:14: unknown field `cache_red`",
            "bad.toml:16: missing price `output`",
            "bad.toml:23: model m2 has no [[model]] table",
        ]
        for prefix in expected {
            #expect(found.contains { $0.hasPrefix(prefix) }, "expected \(prefix) in:\n\(found.joined(separator: "\n"))")
        }
    }

    @Test func reportsOverlappingDatesAndDuplicates() {
        let found = issues(
            """
            provider = "acme"
            [[model]]
            id = "m1"
            [[price]]
            model = "m1"
            effective_from = 2025-01-01
            effective_until = 2025-07-01
            source = "https://acme.example"
            input = "1"
            output = "1"
            [[price]]
            model = "m1"
            effective_from = 2025-03-01
            source = "https://acme.example"
            input = "1"
            output = "1"
            [[price]]
            model = "m1"
            effective_from = 2025-03-01
            source = "https://acme.example"
            input = "2"
            output = "2"
            """)
        #expect(found.contains { $0.hasPrefix("bad.toml:11: m1 entry from 2025-03-01 overlaps the entry at line 4") })
        #expect(found.contains { $0.hasPrefix("bad.toml:17: m1 has two entries from 2025-03-01") })
    }

    @Test func reportsTierAndServiceTierMistakesAndSyntaxErrors() {
        let found = issues(
            """
            provider = "acme"
            [[model]]
            id = "m1"
            [[price]]
            model = "m1"
            effective_from = 2025-01-01
            source = "https://acme.example"
            input = "1"
            output = "1"
            service_tiers = { batch = "0.5", turbo = "3" }
              [[price.tier]]
              above = 1000
              input = "2"
              output = "2"
              [[price.tier]]
              above = 500
              input = "3"
              output = "3"
              [[price.tier]]
              above = 2000
              input = "3"
            """)
        #expect(found.contains { $0.hasPrefix("bad.toml:10: unknown field `turbo`") })
        #expect(found.contains { $0.hasPrefix("bad.toml:16: tiers must be written in ascending order") })
        #expect(found.contains { $0.hasPrefix("bad.toml:19: missing price `output` in [[price.tier]]") })

        let syntax = issues("provider = \"acme\"\n[[model]\nid = 1\n")
        #expect(syntax.first?.hasPrefix("bad.toml:2: not valid TOML") == true)
    }

    @Test func loadRefusesAnInvalidUserFile() {
        #expect(throws: PricingError.self) {
            try PriceTableLoader.load(user: [PricingSource(name: "x.toml", text: "provider = \"openai\"\nfoo = 1\n")])
        }
    }
}

@Suite struct LiteLLMImportTests {
    @Test func readsPerTokenFloatsExactlyAsPerMillionDecimals() {
        #expect(LiteLLMImport.perMillion(NSNumber(value: 3e-06))?.description == "3")
        #expect(LiteLLMImport.perMillion(NSNumber(value: 1.25e-07))?.description == "0.125")
        #expect(LiteLLMImport.perMillion(NSNumber(value: 2.8e-08))?.description == "0.028")
        #expect(LiteLLMImport.perMillion(NSNumber(value: 3.3333e-07))?.description == "0.33333")
        #expect(LiteLLMImport.perMillion(NSNumber(value: -1e-06)) == nil)
        #expect(LiteLLMImport.perMillion("3e-06") == nil)
    }

    @Test func keepsAServiceTierOnlyWhenOneMultiplierFitsInputAndOutput() throws {
        let fields: [String: Any] = [
            "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
            "input_cost_per_token_batches": 1e-06, "output_cost_per_token_batches": 4e-06,
            "input_cost_per_token_priority": 3.5e-06, "output_cost_per_token_priority": 1.5e-05,
            "cache_creation_input_token_cost_above_1hr": 4e-06,
        ]
        let model = try #require(LiteLLMImport.convert(key: "gpt-test", fields))
        #expect(model.serviceTiers[.batch]?.description == "0.5")
        #expect(model.serviceTiers[.priority] == nil)  // 1.75 for input, 1.875 for output
        #expect(model.prices.cacheWrite1h?.description == "4")
        #expect(LiteLLMImport.convert(key: "tts", ["litellm_provider": "openai", "mode": "audio_speech"]) == nil)
    }
}
