import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost-bench estimation`: what the per-model estimate correction costs, side by side with
/// the meter without it, in one run: a metered call, the estimate alone, and the ledger read a
/// stale cache pays (the indexed query, beside the full scan it avoids) on a ledger of `--calls` rows.
struct BenchEstimationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimation",
        abstract: "Time the per-model estimate correction: per call, per refresh, against the meter without it.",
        discussion: "Uses a temporary ledger seeded with --calls heuristic calls over 20 models. Use a release build.")

    @Option(help: "Metered calls per mode.") var iterations: Int = 5_000
    @Option(help: "Calls seeded into the ledger before timing.") var calls: Int = 200_000
    @Option(help: "Refreshes (ledger reads) timed.") var refreshes: Int = 200

    func run() async throws {
        guard iterations > 0, calls >= 0, refreshes > 0 else { throw CommandFailure.usage("--iterations, --refreshes must be positive, --calls not negative") }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path)
        try seed(ledger)
        let pricing = try Configuration.load().pricing()
        let stub = InstantStubProvider(inputTokens: 31)
        let request = ChatRequest.user(
            "Summarize the quarterly report in three bullet points, please. Keep each under twelve words.", maxTokens: 256)
        let budget = BudgetDefinition(name: "bench", period: .day, limit: Money(decimalUSD: "1000000")!, action: .block)
        let plain = Meter(ledger: ledger, pricing: pricing, budgets: [budget], estimateCorrection: .disabled)
        let corrected = Meter(ledger: ledger, pricing: pricing, budgets: [budget])
        let out = FileOutput.standardOutput
        out.write("estimate correction, \(calls) calls in the ledger, \(iterations) calls per mode\n")

        let bare = try await timeCalls(iterations) { _ = try await stub.complete(request) }
        let (plainCalls, correctedCalls) = try await timeAlternating(
            iterations,
            { _ = try await MeteredProvider(stub, meter: plain).complete(request) },
            { _ = try await MeteredProvider(stub, meter: corrected).complete(request) })
        report("metered call, no correction", plainCalls, against: nil)
        report("metered call, corrected", correctedCalls, against: plainCalls)
        out.write(String(format: "  overhead p50 (corrected - bare stub): %.1f µs  (target < 100 µs)\n", median(correctedCalls) - median(bare)))

        let model = stub.defaultModel
        let (rawEstimates, cachedEstimates) = try await timeAlternating(
            iterations,
            { _ = plain.inputEstimate(for: request, provider: stub.name, model: model) },
            { _ = corrected.inputEstimate(for: request, provider: stub.name, model: model) })
        report("estimate, raw heuristic", rawEstimates, against: nil)
        report("estimate, corrected (cached)", cachedEstimates, against: rawEstimates)

        // What a stale entry costs: one indexed query of the model's latest 200 calls, beside
        // learning the same thing by scanning the ledger.
        let policy = EstimateCorrectionPolicy.standard
        let since = Int64((Date().timeIntervalSince1970 - policy.window) * 1000)
        let indexed = try await timeCalls(refreshes) {
            let samples = try ledger.recentHeuristicSamples(provider: stub.name, model: model, since: since, limit: policy.maximumSamples)
            _ = EstimateCorrection.learn(from: samples, policy: policy)
        }
        let scans = try await timeCalls(max(1, min(refreshes, 5))) {
            var samples: [EstimateSample] = []
            try ledger.forEachEstimateSample(since: since) { provider, name, sample in
                if provider == stub.name, name == model, sample.heuristic != nil { samples.append(sample) }
            }
            _ = EstimateCorrection.learn(from: Array(samples.suffix(policy.maximumSamples)), policy: policy)
        }
        report("refresh, full scan", scans, against: nil)
        report("refresh, indexed query", indexed, against: scans)
    }

    /// Heuristic calls over 20 models in the last week, with reported usage 20% above the raw count.
    private func seed(_ ledger: Ledger) throws {
        let now = Date()
        var index = 0
        while index < calls {
            try ledger.write { session in
                for _ in 0..<min(50_000, calls - index) {
                    let raw = Int64(100 + index % 900)
                    var record = CallRecord(
                        timestamp: now.addingTimeInterval(-Double(calls - index) * 604_800 / Double(max(1, calls))),
                        provider: "anthropic", model: index % 20 == 0 ? "claude-sonnet-4-5" : "claude-model-\(index % 20)",
                        requestID: "seed-\(index)", usage: Usage(inputTokens: raw * 6 / 5, outputTokens: 50),
                        estimatedUsage: Usage(inputTokens: raw))
                    record.heuristicEstimate = HeuristicInputEstimate(rawTokens: raw)
                    try session.insert(record)
                    index += 1
                }
            }
        }
    }

    private func report(_ label: String, _ samples: [Double], against reference: [Double]?) {
        var line = "  " + label.padding(toLength: 30, withPad: " ", startingAt: 0)
            + String(format: " p50 %9.1f µs  p99 %9.1f µs", median(samples), samples[min(samples.count - 1, samples.count * 99 / 100)])
        if let reference {
            let ratio = median(samples) / median(reference)
            line += ratio < 0.1 ? String(format: "  (1/%.0f of the line above)", 1 / ratio) : String(format: "  (%.2fx the line above)", ratio)
        }
        FileOutput.standardOutput.line(line)
    }

    /// Times two bodies in alternating blocks, so drift on a noisy machine (and the ledger
    /// growing) weighs on both alike.
    private func timeAlternating(
        _ count: Int, _ first: () async throws -> Void, _ second: () async throws -> Void
    ) async throws -> ([Double], [Double]) {
        var a: [Double] = []
        var b: [Double] = []
        var done = 0
        while done < count {
            let block = min(500, count - done)
            a += try await timeCalls(block, first)
            b += try await timeCalls(block, second)
            done += block
        }
        return (a.sorted(), b.sorted())
    }

}
