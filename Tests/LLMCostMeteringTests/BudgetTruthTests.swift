import Foundation
import LLMCostCore
import LLMCostMetering
import LLMCostPresentation
import LLMCostPricing
import LLMCostProviders
import LLMCostSimulator
import LLMCostStore
import LLMCostTestSupport
import Testing

/// Block budgets without holes: every configured provider priced by its type, unpriced calls
/// refused instead of let through uncounted, and calls held up only by other calls'
/// reservations waiting for them instead of being refused while real spend is far below the limit.
@Suite struct BudgetTruthTests {
    // MARK: - Pricing by provider type

    @Test func aProviderConfiguredUnderItsOwnNameIsPricedAsItsType() async throws {
        let simulator = ProviderSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        var registry = ProviderRegistry(environment: ProviderEnvironment(variables: ["WORK_KEY": "sk-test"]))
        try registry.configure(tables: [
            "work": [
                "type": .string("openai"), "model": .string("gpt-4o-mini"), "api_key_env": .string("WORK_KEY"),
                "base_url": .string(simulator.baseURL.absoluteString + "/v1"),
            ],
            "box": [
                "type": .string("openai-compatible"), "model": .string("deepseek-chat"),
                "base_url": .string(simulator.baseURL.absoluteString + "/v1"), "pricing_provider": .string("deepseek"),
            ],
            "bare-box": [
                "type": .string("vllm"), "model": .string("meta-llama/Llama-3.1-8B"),
                "base_url": .string(simulator.baseURL.absoluteString + "/v1"),
            ],
        ])
        let table = try PriceTableLoader.load(user: [])
        let work = MeteredProvider(try registry.provider(named: "work"), meter: Meter(ledger: ledger, pricing: table))
        let box = MeteredProvider(try registry.provider(named: "box"), meter: Meter(ledger: ledger, pricing: table))
        let bare = MeteredProvider(try registry.provider(named: "bare-box"), meter: Meter(ledger: ledger, pricing: table))
        #expect(work.pricingProvider == "openai")
        _ = try await work.complete(.user("hello", maxTokens: 20))
        _ = try await box.complete(.user("hello", maxTokens: 20))
        _ = try await bare.complete(.user("hello", maxTokens: 20))
        let records = Dictionary(uniqueKeysWithValues: try recordedCalls(ledger).map { ($0.provider, $0) })
        // Attributed to the configured name, priced as the type (or pricing_provider) says.
        let workCall = try #require(records["work"])
        #expect(workCall.pricingProvider == "openai")
        #expect(workCall.pricingEntry?.hasPrefix("openai/gpt-4o-mini@") == true)
        let expected = try table.cost(provider: "openai", model: "gpt-4o-mini", usage: workCall.usage, at: workCall.timestamp).cost
        #expect(workCall.cost == expected)
        #expect(records["box"]?.pricingEntry?.hasPrefix("deepseek/deepseek-chat@") == true)
        // A compatible server with no pricing_provider and no pricing file is unpriced, never $0.
        #expect(records["bare-box"]?.cost == nil)
        #expect(records["bare-box"]?.pricingProvider == nil)
        #expect(registry.pricingProviders == ["work": "openai", "box": "deepseek", "openai-responses": "openai"])
    }

    @Test func everyVendorTypeIsPricedLikeItsBuiltInProvider() throws {
        var registry = ProviderRegistry(environment: ProviderEnvironment(variables: [:]))
        try registry.configure(tables: [
            "personal": ["type": .string("anthropic"), "model": .string("claude-sonnet-4-5")],
            "responses": ["type": .string("openai-responses"), "model": .string("gpt-4o-mini")],
            "my-azure": ["type": .string("azure"), "deployment": .string("prod-chat"), "model": .string("gpt-4o")],
            "router": ["type": .string("openrouter"), "model": .string("anthropic/claude-sonnet-4.5")],
            "local": ["type": .string("ollama"), "model": .string("llama3.2"), "pricing_provider": .string("ollama")],
        ])
        let table = try PriceTableLoader.load(user: [])
        let pricing = ConfiguredPricing(table: table, pricingProviders: registry.pricingProviders)
        func entry(_ provider: String, _ model: String) -> String? {
            pricing.quote(for: CallRecord(timestamp: Date(), provider: provider, model: model, usage: Usage(inputTokens: 1000)))?.entryID
        }
        #expect(entry("personal", "claude-sonnet-4-5")?.hasPrefix("anthropic/claude-sonnet-4-5@") == true)
        #expect(entry("responses", "gpt-4o-mini")?.hasPrefix("openai/gpt-4o-mini@") == true)
        // Azure: OpenAI's prices for the models its own file does not list (its fallback).
        #expect(entry("my-azure", "gpt-4o")?.hasPrefix("openai/gpt-4o@") == true)
        // OpenRouter: the vendor's price by the model's vendor path.
        #expect(entry("router", "anthropic/claude-sonnet-4.5")?.hasPrefix("anthropic/claude-sonnet-4-5@") == true)
        #expect(entry("local", "llama3.2")?.hasPrefix("ollama/*@") == true)
        #expect(pricing.quote(for: CallRecord(timestamp: Date(), provider: "local", model: "llama3.2", usage: Usage(inputTokens: 1000)))?.cost == .zero)
    }

    // MARK: - Unpriced calls under block budgets

    @Test func anUnpricedModelUnderABlockBudgetIsRefusedBeforeAnythingIsSent() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stub = GatedProvider(model: "mystery-model")
        let budget = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "1000")!, action: .block)
        let pricing = DollarPerTokenExcept(unpriced: ["mystery-model"])
        let metered = MeteredProvider(stub, meter: Meter(ledger: ledger, pricing: pricing, budgets: [budget]))
        do {
            _ = try await metered.complete(.user("hello", maxTokens: 20))
            Issue.record("an unpriced call under a block budget must be refused")
        } catch let error as MeteringError {
            #expect(error.isUnpricedModel)
            #expect(error.budget == "cap")
            #expect(error.description.contains("stub/mystery-model has no price"))
            #expect(error.description.contains("unpriced = \"allow\""))
        }
        #expect(stub.requestCount == 0)
        #expect(try recordedCalls(ledger).isEmpty)
        // A priced model through the same budget goes through.
        _ = try await metered.complete(ChatRequest(model: "known-model", messages: [.user("hello")], maxTokens: 20))
        #expect(stub.requestCount == 1)
    }

    @Test func aBudgetThatAllowsUnpricedCallsLetsThemThroughUncounted() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stub = GatedProvider(model: "mystery-model")
        let budget = BudgetDefinition(name: "cap", period: .day, limit: .zero, action: .block, allowsUnpriced: true)
        let metered = MeteredProvider(
            stub, meter: Meter(ledger: ledger, pricing: DollarPerTokenExcept(unpriced: ["mystery-model"]), budgets: [budget]))
        _ = try await metered.complete(.user("hello", maxTokens: 20))
        let records = try recordedCalls(ledger)
        #expect(records.count == 1)
        #expect(records.first?.cost == nil)
        #expect(try ledger.usage(of: budget).spent == .zero)
        #expect(try ledger.unpricedCalls(of: budget) == 1)
    }

    @Test func warnBudgetsWarnOncePerModelAndPeriodAcrossProcesses() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let budget = BudgetDefinition(name: "watch", period: .day, limit: Money(decimalUSD: "1000")!, action: .warn)
        let pricing = DollarPerTokenExcept(unpriced: ["mystery-a", "mystery-b"])
        let lines = CollectedLines()
        // Two meters on two connections to one file: two processes, as far as the ledger knows.
        let second = try Ledger(path: ledger.path)
        for meterLedger in [ledger, second] {
            let meter = Meter(ledger: meterLedger, pricing: pricing, budgets: [budget], warn: { lines.append($0) })
            for model in ["mystery-a", "mystery-a", "mystery-b", "known"] {
                _ = try await MeteredProvider(GatedProvider(), meter: meter)
                    .complete(ChatRequest(model: model, messages: [.user("hi")], maxTokens: 5))
            }
        }
        let warnings = lines.all.filter { $0.contains("does not count calls") }
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("stub/mystery-a") } && warnings.contains { $0.contains("stub/mystery-b") })
        #expect(try recordedCalls(ledger).count == 8) // a warn budget never refuses
        // The hole is visible: `budget status` counts what the budget could not.
        let status = try BudgetStatusReport(ledger: ledger, budgets: [budget])
        #expect(status.rows.first?.unpricedCalls == 6)
        #expect(status.json().contains(#""unpriced_calls":6"#))
    }

    // MARK: - Wait, then refuse

    /// $1 per token and a $100 limit: each call's worst case (input at the top of its band plus
    /// 60 output tokens) is about $70, its actual cost $15. Two worst cases do not fit at once;
    /// two actual costs do.
    private let budget = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "100")!, action: .block)

    @Test func aCallHeldUpOnlyByAnotherCallsReservationWaitsForItToSettle() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Another process: its own connection to the file, so only the file can wake this one.
        let other = try Ledger(path: ledger.path)
        let held = GatedProvider(open: false)
        let first = MeteredProvider(held, meter: Meter(ledger: other, pricing: DollarPerToken(), budgets: [budget]))
        let firstCall = Task { try await first.complete(.user("first", maxTokens: 60)) }
        while try ledger.usage(of: budget).reserved == .zero { try await Task.sleep(for: .milliseconds(5)) }

        let quick = GatedProvider()
        let second = MeteredProvider(quick, meter: Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget]))
        let secondCall = Task { try await second.complete(.user("second", maxTokens: 60)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(quick.requestCount == 0, "the second call waits while the first holds the room")
        held.open()
        _ = try await firstCall.value
        _ = try await secondCall.value
        #expect(quick.requestCount == 1)
        let usage = try ledger.usage(of: budget)
        #expect(usage.spent == Money(decimalUSD: "30"))
        #expect(usage.reserved == .zero)
    }

    @Test func aCallThatCannotFitTheRecordedSpendIsRefusedWithoutWaiting() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let patient = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "100")!, action: .block, wait: .seconds(600))
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [patient])
        let stub = GatedProvider()
        // $15 each: after six calls $90 is spent, and no worst case of about $70 fits again.
        for index in 0..<6 { _ = try await MeteredProvider(stub, meter: meter).complete(.user("call \(index)", maxTokens: 5)) }
        do {
            _ = try await MeteredProvider(stub, meter: meter).complete(.user("one more", maxTokens: 60))
            Issue.record("a call over the limit by recorded spend alone must be refused")
        } catch let error as MeteringError {
            #expect(error.isBudgetExceeded)
            // Refused at once, not after the budget's ten-minute wait: waiting cannot make room.
            #expect(error.waited < patient.wait)
            #expect(error.standing.map { $0.spent + $0.requested > $0.limit } == true)
        }
        #expect(stub.requestCount == 6)
    }

    @Test func aWaitThatRunsOutIsRefusedAndSaysItWaited() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let brief = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "100")!, action: .block, wait: .milliseconds(300))
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [brief])
        let held = GatedProvider(open: false)
        let firstCall = Task { try await MeteredProvider(held, meter: meter).complete(.user("first", maxTokens: 60)) }
        while try ledger.usage(of: brief).reserved == .zero { try await Task.sleep(for: .milliseconds(5)) }
        let quick = GatedProvider()
        do {
            _ = try await MeteredProvider(quick, meter: meter).complete(.user("second", maxTokens: 60))
            Issue.record("the room never freed up: the second call must be refused")
        } catch let error as MeteringError {
            #expect(error.isBudgetExceeded)
            #expect(error.waited >= brief.wait)
            #expect(error.description.contains("after waiting"))
            #expect(error.standing.map { $0.reserved > .zero } == true)
        }
        #expect(quick.requestCount == 0)
        held.open()
        _ = try await firstCall.value
    }
}
