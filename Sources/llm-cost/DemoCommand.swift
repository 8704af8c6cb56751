import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostSimulator

/// `llm-cost demo`: the whole pipeline with no API keys. A week of synthetic history, then
/// three agents making real HTTP calls through metered adapters to a simulated provider on
/// loopback, under a hard budget that trips; then the report and the budget status.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run three metered agents against a local simulated provider, trip a budget, and report.",
        discussion: "Needs no API keys and never touches your real ledger.")

    @Option(help: ArgumentHelp("The demo ledger (default: demo.sqlite beside the real ledger, recreated each run).", valueName: "path"))
    var db: String?

    @Option(help: "Synthetic history calls in the past week.") var calls: Int = 2_000
    @Option(help: "Random seed (the same seed gives the same calls).") var seed: UInt64 = 7

    func validate() throws {
        guard (0...1_000_000).contains(calls) else { throw ValidationError("--calls: expected 0 to 1000000, got \(calls)") }
    }

    func run() async throws {
        let path = db ?? Ledger.dataDirectory() + "/demo.sqlite"
        if db == nil {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let configuration = try Configuration.load()
        let ledger = try Ledger(path: path)
        let pricing = try loadPricing(configuration)
        let out = FileOutput.standardOutput

        // 1. History: a synthetic week, so the report has something to show besides today.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let written = try ledger.write(pricing: pricing) { session -> Int in
            try SyntheticWorkload.demo.generate(count: calls, start: now - 7 * 86_400_000, end: now, seed: seed) { try session.insert($0) }
            return session.insertedCount
        }
        out.write("Wrote \(written) synthetic calls (3 agents, 2 providers, last 7 days) to \(path)\n\n")

        // 2. Live: a simulated provider on loopback, real HTTP, metered adapters, a hard budget.
        let simulator = ProviderSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let key = "sk-demo-not-a-real-key"
        let registry = ProviderRegistry(environment: ProviderEnvironment(variables: [
            "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
            "OPENAI_API_KEY": key, "OPENAI_BASE_URL": simulator.baseURL.absoluteString + "/v1",
        ]))
        let budget = BudgetDefinition(
            name: "live-run", scope: .tag(key: "run", value: "live"), period: .total, limit: Money(decimalUSD: "0.008")!,
            alertThresholdsBasisPoints: [1000, 2500], action: .block)
        var alertSettings = AlertSettings()
        alertSettings.log = true
        // The simulator doubles as the webhook receiver, so the demo shows a real delivery.
        alertSettings.webhookURL = simulator.baseURL.appendingPathComponent("hooks/alerts")
        let meter = Meter(ledger: ledger, pricing: pricing, budgets: [budget], alerts: AlertDispatcher(settings: alertSettings))
        let anthropic = MeteredProvider(try registry.provider(named: "anthropic"), meter: meter)
        let openAI = MeteredProvider(try registry.provider(named: "openai"), meter: meter)
        let agents: [(String, MeteredProvider, String)] = [
            ("researcher", anthropic, "Find three sources on battery recycling"),
            ("coder", openAI, "Write a function that parses ISO dates"),
            ("reviewer", anthropic, "Review this pull request for race conditions"),
        ]
        let results = await withTaskGroup(of: (String, Int, [String]).self) { group in
            for (agent, provider, topic) in agents {
                group.addTask {
                    await withMetering(agent: agent, session: "demo-live", tags: ["run": "live"]) {
                        var done = 0
                        var refusals: [String] = []
                        for step in 1...6 {
                            do {
                                // Streamed, as agents do: the meter records when the stream ends.
                                for try await _ in provider.stream(.user("\(topic), step \(step)", maxTokens: 400)) {}
                                done += 1
                            } catch let error as MeteringError {
                                refusals.append(error.description)
                            } catch {
                                refusals.append("\(error)")
                            }
                        }
                        return (agent, done, refusals)
                    }
                }
            }
            var all: [(String, Int, [String])] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }
        }
        await meter.waitForPendingAlerts()
        out.write("Live run against the simulator at \(simulator.baseURL.absoluteString) (budget live-run: $0.008, block):\n")
        for (agent, done, refusals) in results {
            out.write("  \(agent): \(done) calls metered, \(refusals.count) refused by the budget\n")
        }
        if let example = results.flatMap(\.2).first { out.write("  e.g. \(example)\n") }
        for delivery in simulator.requests where delivery.path.hasPrefix(ProviderSimulator.webhookPathPrefix) {
            if let text = delivery.json?["text"] as? String { out.write("  webhook alert delivered: \(text)\n") }
        }
        out.write("\n")

        let renderer = ReportRenderer(width: out.width, colors: out.usesColor)
        for groupBy in [[ReportDimension.agent], [.provider, .model]] {
            let report = try ledger.report(ReportQuery(timeZone: .current, groupBy: groupBy))
            out.write(renderer.render(report, as: .table) + "\n")
        }
        out.write("Budget status:\n")
        out.write(try BudgetStatusReport(ledger: ledger, budgets: [budget]).table())
        out.write("\nExplore it: llm-cost report --db \(path) --by day,agent   (or --format json, --by tag:run)\n")
        out.write("As a page: llm-cost report --db \(path) --by agent --format html -o spend.html\n")
    }
}
