import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost-bench metering`: what the meter adds to one call (estimate + reserve + record +
/// settle) against an in-process stub provider and a file-backed ledger, side by side with
/// the same stub called bare, in one run.
struct BenchMeteringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metering",
        abstract: "Time the meter's overhead per call (p50, p99) against an in-process stub provider.",
        discussion: """
            Uses a temporary ledger file and a block budget, so every call reserves and settles. Calls run back to \
            back, the worst case for WAL checkpoints (p99.9). Use a release build.
            """)

    @Option(help: "Calls per mode.") var iterations: Int = 5_000

    func run() async throws {
        guard iterations > 0 else { throw CommandFailure.usage("--iterations must be positive") }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path)
        let pricing = try Configuration.load().pricing()
        let stub = InstantStubProvider(inputTokens: 18)
        let request = ChatRequest.user("Summarize the quarterly report in three bullet points, please.", maxTokens: 256)
        let budget = BudgetDefinition(name: "bench", period: .day, limit: Money(decimalUSD: "1000000")!, action: .block)
        let unbudgeted = MeteredProvider(stub, meter: Meter(ledger: ledger, pricing: pricing))
        let budgeted = MeteredProvider(stub, meter: Meter(ledger: ledger, pricing: pricing, budgets: [budget]))

        let bare = try await timeCalls(iterations, warmUp: 200) { _ = try await stub.complete(request) }
        let recordOnly = try await timeCalls(iterations, warmUp: 200) { _ = try await unbudgeted.complete(request) }
        let full = try await timeCalls(iterations, warmUp: 200) { _ = try await budgeted.complete(request) }
        let out = FileOutput.standardOutput
        out.write("meter overhead per call, \(iterations) calls per mode (stub provider, file-backed ledger)\n")
        for (label, samples) in [("bare stub", bare), ("metered, no budget", recordOnly), ("metered, block budget", full)] {
            out.write("  \(label.padding(toLength: 24, withPad: " ", startingAt: 0)) p50 \(latencyText(percentile(samples, 0.5)))  "
                + "p99 \(latencyText(percentile(samples, 0.99)))  p99.9 \(latencyText(percentile(samples, 0.999)))\n")
        }
        let overhead = percentile(full, 0.5) - percentile(bare, 0.5)
        out.write("  overhead p50 (block budget - bare): \(latencyText(overhead))  (target < 100 µs)\n")
    }

}
