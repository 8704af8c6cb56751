import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostSimulator

/// `llm-cost-bench worst-case`: how often a call costs more than the worst case a block budget
/// reserved for it, on the simulator's streams, with the bound as it was (input at the top of
/// its band at the plain input rate, plus `max_tokens`, default 4096) and as the meter now
/// builds it (`WorstCase`: cache writes, server tools, the adapter's output limit).
struct BenchWorstCaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worst-case",
        abstract: "Count calls that cost more than their reserved worst case, old bound vs new, on the simulator.",
        discussion: """
            Streams a seeded mix of Anthropic requests (plain, cached system prompts with 5-minute and \
            1-hour breakpoints, cached tools, web search with and without max_uses, web fetch, no \
            max_tokens) through the metered Anthropic adapter to the loopback simulator, which bills \
            cache writes then reads and per-use server tools. Each call is compared with both bounds.
            """)

    @Option(help: "Calls per request shape.") var calls: Int = 50
    @Option(help: "Seed of the prompts.") var seed: UInt64 = 7

    func run() async throws {
        guard calls > 0 else { throw CommandFailure.usage("--calls must be positive") }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path)
        let pricing = try Configuration.load().pricing()
        let simulator = ProviderSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let registry = ProviderRegistry(environment: ProviderEnvironment(variables: [
            "ANTHROPIC_API_KEY": "sk-bench-not-a-key", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
        ]))
        let budget = BudgetDefinition(name: "bench", period: .total, limit: Money(decimalUSD: "1000000")!, action: .block)
        let meter = Meter(ledger: ledger, pricing: pricing, budgets: [budget])
        let provider = MeteredProvider(try registry.provider(named: "anthropic"), meter: meter)
        var random = SplitMix64(seed: seed)
        let out = FileOutput.standardOutput
        out.write("calls costing more than their reserved worst case (\(calls) calls per shape, claude-sonnet-4-5 on the simulator)\n")
        out.write("  shape                              calls  over old bound  over new bound  new bound / actual\n")
        var totals = (calls: 0, old: 0, new: 0)
        for shape in Shape.allCases {
            var overOld = 0
            var overNew = 0
            var ratios: [Double] = []
            for index in 0..<calls {
                let request = shape.request(index: index, random: &random)
                let estimate = try CallEstimate.estimate(
                    request, provider: "anthropic", model: "claude-sonnet-4-5", ledger: ledger, pricing: pricing)
                let oldBound = pricing.quote(for: CallRecord(
                    timestamp: Date(), provider: "anthropic", model: "claude-sonnet-4-5",
                    usage: Usage(inputTokens: estimate.input.high, outputTokens: Int64(request.maxTokens ?? 4096))))?.cost
                let session = "bench-\(shape)-\(index)-\(UUID().uuidString)"
                try await withMetering(session: session) {
                    for try await _ in provider.stream(request) {}
                }
                var record: CallRecord?
                try ledger.forEachCall(since: Int64(Date().timeIntervalSince1970 * 1000) - 60_000) { if $0.session == session { record = $0 } }
                guard let record, let actual = record.cost, let newBound = record.estimatedCost, let oldBound else {
                    throw CommandFailure.runtime("a \(shape) call was not recorded with a cost and a worst case")
                }
                if actual > oldBound { overOld += 1 }
                if actual > newBound { overNew += 1 }
                if actual > .zero { ratios.append(Double(newBound.nanoUSD) / Double(actual.nanoUSD)) }
            }
            ratios.sort()
            let median = ratios.isEmpty ? 0 : ratios[ratios.count / 2]
            out.write("  \(shape.rawValue.padding(toLength: 34, withPad: " ", startingAt: 0)) \(pad(calls, 5))  "
                + "\(pad(overOld, 14))  \(pad(overNew, 14))  \(String(format: "%18.2f", median))\n")
            totals = (totals.calls + calls, totals.old + overOld, totals.new + overNew)
        }
        let share = { (count: Int) in String(format: "%.1f%%", 100 * Double(count) / Double(max(1, totals.calls))) }
        out.write("  all: \(totals.old) of \(totals.calls) over the old bound (\(share(totals.old))), "
            + "\(totals.new) over the new (\(share(totals.new))); the ledger recorded \(try ledger.overruns(of: budget).calls) overruns\n")
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// The request shapes of the workload.
    enum Shape: String, CaseIterable {
        case plain = "plain"
        case cachedSystem = "cached system prompt (5m)"
        case cachedSystemHour = "cached system prompt (1h)"
        case cachedToolsAndSystem = "cached tools + system (1h, 5m)"
        case searchBounded = "web search, max_uses 3"
        case searchUnbounded = "web search, no max_uses"
        case fetch = "web fetch, max_content_tokens 6000"
        case noMaxTokens = "no max_tokens"

        func request(index: Int, random: inout SplitMix64) -> ChatRequest {
            // A long shared system prompt (cached across calls) and a short varying question.
            let system = String(repeating: "You are a careful analyst. Cite sources. ", count: 400)
            let question = "Question \(index): what changed in batch \(random.next() % 1000)?"
            var request = ChatRequest(system: system, messages: [.user(question)], maxTokens: 300)
            switch self {
            case .plain:
                request.system = nil
            case .cachedSystem:
                request.cacheBreakpoints = [CacheBreakpoint(.system)]
            case .cachedSystemHour:
                request.cacheBreakpoints = [CacheBreakpoint(.system, ttl: .oneHour)]
            case .cachedToolsAndSystem:
                request.tools = [ToolDefinition(name: "lookup", description: String(repeating: "Looks a record up. ", count: 100))]
                request.cacheBreakpoints = [CacheBreakpoint(.tools, ttl: .oneHour), CacheBreakpoint(.system)]
            case .searchBounded:
                request.system = nil
                request.serverTools = [ServerTool(.webSearch, maxUses: 3)]
            case .searchUnbounded:
                request.system = nil
                request.serverTools = [ServerTool(.webSearch)]
            case .fetch:
                request.system = nil
                request.serverTools = [ServerTool(.webFetch, maxUses: 1, maxContentTokens: 6000)]
            case .noMaxTokens:
                request.maxTokens = nil
            }
            return request
        }
    }
}
