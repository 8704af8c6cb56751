import Foundation
import LLMCostCore
import LLMCostMetering
import LLMCostPricing
import LLMCostProviders
import LLMCostSimulator
import LLMCostStore
import LLMCostTestSupport
import Testing

/// The router over metered candidates on the simulator: fallback on failures, timeouts and budget
/// refusals, requirements, `cheapest`, circuit breakers; every call recorded under its candidate.
@Suite struct RouterTests {
    /// Two OpenAI providers on one simulator (`alpha`, `beta`), a ledger, the real price table.
    final class Scene: @unchecked Sendable {
        let simulator = ProviderSimulator()
        let ledger: TemporaryLedger
        var registry: ProviderRegistry
        let pricing: ConfiguredPricing

        init(alphaTimeout: Duration? = nil) throws {
            try simulator.start()
            ledger = try TemporaryLedger()
            registry = ProviderRegistry(environment: ProviderEnvironment(variables: ["OPENAI_API_KEY": "sk-test-router-0123456789"]))
            for name in ["alpha", "beta"] {
                var settings = ProviderSettings(
                    name: name, type: "openai", model: "gpt-4o-mini", baseURL: simulator.baseURL.appendingPathComponent("v1"))
                settings.maxRetries = 0
                if name == "alpha" { settings.timeout = alphaTimeout }
                try registry.add(settings)
            }
            pricing = ConfiguredPricing(table: try PriceTableLoader.load(userDirectory: nil), pricingProviders: registry.pricingProviders)
        }

        func router(
            _ candidates: [String], strategy: RouterSettings.Strategy = .ordered, requires: [String] = [], budgets: [BudgetDefinition] = [],
            extra: [String: ConfigValue] = [:]
        ) throws -> LLMRouter {
            var table: [String: ConfigValue] = [
                "type": .string("router"), "candidates": .array(candidates.map(ConfigValue.string)),
                "strategy": .string(strategy.rawValue), "requires": .array(requires.map(ConfigValue.string)),
            ]
            table.merge(extra) { $1 }
            var registry = registry
            try registry.configure(tables: ["smart": table])
            let meter = Meter(ledger: ledger.ledger, pricing: pricing, budgets: budgets, warn: { _ in })
            let provider = try registry.meteredProvider(named: "smart", meter: meter)
            return try #require(provider as? LLMRouter)
        }

        /// Requests the simulator received for `model`.
        func requests(for model: String) -> Int {
            simulator.requests.filter { $0.model == model }.count
        }

        var calls: [CallRecord] {
            get throws {
                var records: [CallRecord] = []
                try ledger.ledger.forEachCall { records.append($0) }
                return records.sorted { ($0.tags["router_attempt"] ?? "") < ($1.tags["router_attempt"] ?? "") }
            }
        }

        deinit { simulator.stop() }
    }

    @Test func aFailingFirstCandidateFallsBackAndBothCallsAreRecordedUnderTheirCandidates() async throws {
        let scene = try Scene()
        let router = try scene.router(["alpha:sim-overloaded", "beta:gpt-4o-mini"])
        let reply = try await router.complete(.user("hello"))
        #expect(reply.text == "Simulated reply to: hello")
        #expect(reply.route == RouteTaken(router: "smart", provider: "beta", model: "gpt-4o-mini", attempt: 2))
        let calls = try scene.calls
        #expect(calls.map(\.provider) == ["alpha", "beta"])
        #expect(calls.map(\.status) == [.error, .ok])
        #expect(calls.map { $0.tags["router"] } == ["smart", "smart"])
        #expect(calls.map { $0.tags["router_attempt"] } == ["1", "2"])
        #expect(calls[1].cost != nil)
    }

    @Test func aSlowCandidateHitsItsTimeoutAndTheNextServes() async throws {
        let scene = try Scene(alphaTimeout: .milliseconds(300))
        // The first request, alpha's, waits 3 s for its first byte.
        var slow = SimulatedReply.text(["too ", "late"])
        slow.firstByteDelay = .seconds(3)
        scene.simulator.enqueue(slow)
        let router = try scene.router(["alpha:gpt-4o-mini", "beta:gpt-4o"])
        // Had alpha's timeout not fired, alpha would have served ("too late").
        let reply = try await router.complete(.user("hello"))
        #expect(reply.route?.provider == "beta" && reply.route?.attempt == 2)
        #expect(reply.text == "Simulated reply to: hello")
        let calls = try scene.calls
        #expect(calls.map(\.status) == [.error, .ok], "\(calls.map { ($0.provider, $0.status, $0.tags) })")
    }

    @Test func aCandidateOverItsBudgetPassesTheCallOn() async throws {
        let scene = try Scene()
        let budget = BudgetDefinition(
            name: "alpha-cap", scope: .provider("alpha"), period: .day, limit: Money(decimalUSD: "0.000001")!, action: .block, wait: .zero)
        let router = try scene.router(["alpha:gpt-4o", "beta:gpt-4o-mini"], budgets: [budget])
        let reply = try await router.complete(.user("hello"))
        #expect(reply.route?.provider == "beta")
        // Refused before sending: alpha never saw the request and recorded nothing.
        #expect(scene.requests(for: "gpt-4o") == 0)
        #expect(try scene.calls.map(\.provider) == ["beta"])

        // With every candidate refused, the budget's refusal is what the caller gets.
        let capped = try scene.router(["alpha:gpt-4o"], budgets: [budget])
        await #expect { try await capped.complete(.user("hello")) } throws: { ($0 as? MeteringError)?.isBudgetExceeded == true }
    }

    @Test func aCandidateLackingARequiredCapabilityIsPassedOver() async throws {
        let scene = try Scene()
        // gpt-3.5-turbo takes no images; gpt-4o does.
        let image = ChatRequest(messages: [.user([.text("what is this?"), .imageURL("https://example.com/cat.png")])])
        let router = try scene.router(["alpha:gpt-3.5-turbo", "beta:gpt-4o"])
        let reply = try await router.complete(image)
        #expect(reply.route == RouteTaken(router: "smart", provider: "beta", model: "gpt-4o", attempt: 1))
        #expect(scene.requests(for: "gpt-3.5-turbo") == 0)
        // Required by the config, whatever the request.
        let visionOnly = try scene.router(["alpha:gpt-3.5-turbo", "beta:gpt-4o"], requires: ["vision"])
        #expect(try await visionOnly.complete(.user("hi")).route?.model == "gpt-4o")
        // No candidate fits: the error names each one and why.
        let none = try scene.router(["alpha:gpt-3.5-turbo"], requires: ["vision"])
        await #expect { try await none.complete(.user("hi")) } throws: { "\($0)".contains("alpha:gpt-3.5-turbo: lacks vision") }
        // A context the model does not have.
        let huge = try scene.router(["alpha:gpt-4o-mini", "beta:gpt-4.1"], extra: ["min_context": .integer(500_000)])
        #expect(try await huge.complete(.user("hi")).route?.model == "gpt-4.1")
    }

    @Test func cheapestPicksTheLowestEstimateAsCallEstimateMakesIt() async throws {
        let scene = try Scene()
        let candidates = ["alpha:gpt-4.1", "beta:gpt-4o", "alpha:gpt-4o-mini"]
        let router = try scene.router(candidates, strategy: .cheapest)
        let request = ChatRequest.user(String(repeating: "Summarise the quarterly numbers. ", count: 40), maxTokens: 300)
        let reply = try await router.complete(request)
        var costs: [String: Money] = [:]
        for label in candidates {
            let parts = label.split(separator: ":").map(String.init)
            var asked = request
            asked.model = parts[1]
            let estimate = try CallEstimate.estimate(asked, provider: parts[0], model: parts[1], ledger: scene.ledger.ledger, pricing: scene.pricing)
            costs[label] = try #require(estimate.routingCost)
        }
        let cheapest = try #require(costs.min { $0.value < $1.value }?.key)
        #expect(cheapest == "alpha:gpt-4o-mini")
        #expect("\(reply.route?.provider ?? ""):\(reply.route?.model ?? "")" == cheapest)
        // The plan orders them by the same numbers.
        let order = router.plan(for: { var r = request; r.model = nil; return r }()).map { router.candidates[$0.index].label }
        #expect(order == candidates.sorted { costs[$0]! < costs[$1]! })
    }

    @Test func repeatedFailuresOpenTheCircuitAndATrialAfterTheCoolDownClosesIt() async throws {
        let scene = try Scene()
        let router = try scene.router(
            ["alpha:gpt-4o", "beta:gpt-4o-mini"], extra: ["failure_threshold": .integer(2), "cool_down": .decimal("0.3")])
        for _ in 0..<2 {
            scene.simulator.enqueue(.httpError(status: 503))  // alpha's request takes it
            #expect(try await router.complete(.user("hi")).route?.provider == "beta")
        }
        #expect(router.openCircuits == [true, false])
        // Open: alpha is passed over without a request.
        #expect(try await router.complete(.user("hi")).route == RouteTaken(router: "smart", provider: "beta", model: "gpt-4o-mini", attempt: 1))
        #expect(scene.requests(for: "gpt-4o") == 2)
        try await Task.sleep(for: .milliseconds(350))
        // The trial succeeds and closes it.
        #expect(try await router.complete(.user("hi")).route?.provider == "alpha")
        #expect(router.openCircuits == [false, false])
        #expect(scene.requests(for: "gpt-4o") == 3)
    }

    @Test func noFallbackOnceContentReachedTheCaller() async throws {
        let scene = try Scene()
        let router = try scene.router(["alpha:sim-cut-off", "beta:gpt-4o-mini"])
        var received = ""
        do {
            for try await event in router.stream(.user("tell me a long story")) {
                if case .textDelta(let text) = event { received += text }
            }
            Issue.record("a cut-off stream ended normally")
        } catch let error as ProviderError {
            #expect(error.kind == .network)
        }
        #expect(!received.isEmpty)
        #expect(scene.requests(for: "gpt-4o-mini") == 0)
    }

    @Test func aNonRetryableFailureIsNotPassedOn() async throws {
        let scene = try Scene()
        let router = try scene.router(["alpha:sim-unauthorized", "beta:gpt-4o-mini"])
        await #expect { try await router.complete(.user("hi")) } throws: { ($0 as? ProviderError)?.kind == .authentication }
        #expect(scene.requests(for: "gpt-4o-mini") == 0)
    }

    @Test func theCircuitBreakerAsAStateMachine() {
        var breaker = CircuitBreaker(threshold: 3, coolDown: .seconds(10))
        let t0 = ContinuousClock.now
        breaker.recordFailure(at: t0)
        breaker.recordFailure(at: t0)
        var admitted = breaker.admit(at: t0)
        #expect(admitted && !breaker.isOpen)
        breaker.recordSuccess()
        for _ in 0..<3 { breaker.recordFailure(at: t0) }
        admitted = breaker.admit(at: t0 + .seconds(9))
        #expect(breaker.isOpen && !admitted)
        admitted = breaker.admit(at: t0 + .seconds(10))
        #expect(admitted)  // the trial
        admitted = breaker.admit(at: t0 + .seconds(10))
        #expect(!admitted)  // only one
        breaker.recordNoVerdict(at: t0 + .seconds(11))  // refused by a budget: the trial is given back
        admitted = breaker.admit(at: t0 + .seconds(11))
        #expect(admitted)
        breaker.recordFailure(at: t0 + .seconds(11))
        #expect(breaker.state == .open(until: t0 + .seconds(21)))
        admitted = breaker.admit(at: t0 + .seconds(21))
        #expect(admitted)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test func routerTablesAreCheckedWithTheKeyAtFault() throws {
        func settings(_ table: [String: ConfigValue]) throws -> ProviderSettings {
            try ProviderSettings(name: "smart", table: ["type": .string("router")].merging(table) { $1 }, environment: [:])
        }
        let parsed = try #require(try settings([
            "candidates": .array([.string("anthropic:claude-sonnet-4-5"), .string("ollama:llama3:8b"), .string("openrouter")]),
            "strategy": .string("cheapest"), "requires": .array([.string("tools")]), "cool_down": .integer(5),
        ]).router)
        #expect(parsed.candidates.map(\.description) == ["anthropic:claude-sonnet-4-5", "ollama:llama3:8b", "openrouter"])
        #expect(parsed.strategy == .cheapest && parsed.requirements.tools && parsed.coolDown == .seconds(5))
        #expect { try settings([:]) } throws: { "\($0)".contains("providers.smart.candidates") }
        #expect { try settings(["candidates": .array([.string("a"), .string("a")])]) } throws: { "\($0)".contains("listed twice") }
        #expect { try settings(["candidates": .array([.string("smart")])]) } throws: { "\($0)".contains("its own candidate") }
        #expect { try settings(["candidates": .array([.string("a")]), "strategy": .string("fastest")]) } throws: {
            "\($0)".contains("providers.smart.strategy")
        }
        #expect { try settings(["candidates": .array([.string("a")]), "requires": .array([.string("telepathy")])]) } throws: {
            "\($0)".contains("providers.smart.requires")
        }
        #expect { try settings(["candidates": .array([.string("a")]), "model": .string("x")]) } throws: { "\($0)".contains("providers.smart.model") }
        // A candidate that is not configured is named when the router is built.
        var registry = ProviderRegistry(environment: ProviderEnvironment(variables: [:]))
        try registry.configure(tables: ["smart": ["type": .string("router"), "candidates": .array([.string("nowhere:x")])]])
        #expect { try registry.provider(named: "smart") } throws: { "\($0)".contains("no provider named `nowhere`") }
    }
}
