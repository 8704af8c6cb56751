import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost-bench router`: what a router adds to a metered call, ordered and cheapest (four
/// candidates, each estimated with the tokenizer or heuristic, the pricing table and the
/// ledger's recent output), side by side with the same metered stub called directly.
struct BenchRouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Time a router's overhead per call (p50, p99) over in-process stub candidates.",
        discussion: "Uses a temporary ledger file; every call is metered and recorded. Use a release build.")

    @Option(help: "Calls per mode.") var iterations: Int = 3_000

    func run() async throws {
        guard iterations > 0 else { throw CommandFailure.usage("--iterations must be positive") }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path)
        let pricing = try Configuration.load().pricing()
        let meter = Meter(ledger: ledger, pricing: pricing)
        let request = ChatRequest.user(
            String(repeating: "Summarize the quarterly report in three bullet points, please. ", count: 20), maxTokens: 256)
        let stubs = [
            InstantStubProvider(inputTokens: 300, name: "anthropic", defaultModel: "claude-sonnet-4-5"),
            InstantStubProvider(inputTokens: 300, name: "openai", defaultModel: "gpt-4.1"),
            InstantStubProvider(inputTokens: 300, name: "anthropic", defaultModel: "claude-haiku-4-5"),
            InstantStubProvider(inputTokens: 300, name: "openai", defaultModel: "gpt-4o-mini"),
        ]
        let candidates = stubs.map { LLMRouter.Candidate(provider: MeteredProvider($0, meter: meter)) }
        let direct = candidates[0].provider!
        let ordered = LLMRouter(name: "bench", candidates: candidates)
        let cheapest = LLMRouter(
            name: "bench", candidates: candidates, strategy: .cheapest,
            estimator: MeteredCandidateEstimator(pricing: pricing, ledger: ledger))

        let metered = try await timeCalls(iterations, warmUp: 200) { _ = try await direct.complete(request) }
        let first = try await timeCalls(iterations, warmUp: 200) { _ = try await ordered.complete(request) }
        let cheap = try await timeCalls(iterations, warmUp: 200) { _ = try await cheapest.complete(request) }
        let out = FileOutput.standardOutput
        out.write("router overhead per call, \(iterations) calls per mode (4 stub candidates, metered, file-backed ledger)\n")
        for (label, samples) in [("metered, direct", metered), ("router, ordered", first), ("router, cheapest", cheap)] {
            out.write("  \(label.padding(toLength: 20, withPad: " ", startingAt: 0)) p50 \(latencyText(percentile(samples, 0.5)))  "
                + "p99 \(latencyText(percentile(samples, 0.99)))\n")
        }
        out.write("  cheapest - direct, p50: \(latencyText(percentile(cheap, 0.5) - percentile(metered, 0.5)))\n")
    }
}
