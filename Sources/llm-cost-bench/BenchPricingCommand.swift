import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostCore
import LLMCostPricing

/// `llm-cost-bench pricing`: pricing one call (resolve + pick the entry + compute), and
/// loading the table, optionally side by side with LiteLLM's `cost_per_token` in the same run.
struct BenchPricingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pricing",
        abstract: "Time pricing one call (resolve + compute) and loading the table.",
        discussion: """
            With --litellm, also runs scripts/pricing-litellm-bench.py (needs `pip install litellm`) \
            on the same four calls and prints the ratio. Use a release build.
            """)

    @Option(help: "Calls per timed run (five runs; the median is reported).") var iterations: Int = 1_000_000
    @Flag(help: "Also time LiteLLM's cost_per_token in the same run.") var litellm = false
    @Option(help: ArgumentHelp("The LiteLLM benchmark script.", valueName: "path"))
    var script: String = "scripts/pricing-litellm-bench.py"
    @Option(help: "Python interpreter for --litellm.") var python: String = "python3"

    func run() throws {
        let clock = ContinuousClock()
        var loads: [Duration] = []
        var loaded: PriceTable?
        for _ in 0..<5 {
            let start = clock.now
            loaded = try PriceTableLoader.load(user: [])
            loads.append(clock.now - start)
        }
        guard let table = loaded, iterations > 0 else { throw CommandFailure.usage("--iterations must be positive") }

        // Four calls of different shapes: a dated alias with cache traffic, a plain id, a
        // long-context tier through a provider alias, and a model with three dated entries.
        let now = Date(timeIntervalSince1970: 1_763_000_000)
        let calls = [
            CallRecord(timestamp: now, provider: "anthropic", model: "claude-sonnet-4-5-20250929",
                       usage: Usage(inputTokens: 1200, outputTokens: 280, cacheReadTokens: 3000, cacheWrite5mTokens: 200)),
            CallRecord(timestamp: now, provider: "openai", model: "gpt-4o",
                       usage: Usage(inputTokens: 4000, outputTokens: 700, cacheReadTokens: 1000)),
            CallRecord(timestamp: now, provider: "gemini", model: "gemini-2.5-pro",
                       usage: Usage(inputTokens: 250_000, outputTokens: 1000)),
            CallRecord(timestamp: now, provider: "deepseek", model: "deepseek-chat",
                       usage: Usage(inputTokens: 900, outputTokens: 120)),
        ]
        for call in calls where table.quote(for: call) == nil {
            throw CommandFailure.runtime("benchmark call \(call.provider)/\(call.model) did not price")
        }
        var runs: [Double] = []
        var checksum: Int64 = 0
        for _ in 0..<5 {
            let start = clock.now
            for index in 0..<iterations {
                checksum &+= table.quote(for: calls[index & 3])?.cost.nanoUSD ?? 0
            }
            runs.append(nanoseconds(clock.now - start) / Double(iterations))
        }
        runs.sort()
        loads.sort()
        let ours = runs[2]
        FileOutput.standardOutput.line("llm-cost quote(for:)        \(format(ours / 1000)) µs per call (median of 5 × \(iterations); best \(format(runs[0] / 1000)) µs)")
        FileOutput.standardOutput.line("llm-cost table load         \(format(nanoseconds(loads[2]) / 1_000_000)) ms (\(table.models.count) models, embedded TOML)")
        FileOutput.standardOutput.line("checksum                    \(checksum)")
        guard litellm else { return }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, String(max(2000, min(iterations / 50, 50_000)))]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let median = json["median_us"] as? Double
        else {
            throw CommandFailure.runtime("the LiteLLM benchmark failed (is litellm installed? pip install litellm)")
        }
        let version = json["version"] as? String ?? "?"
        FileOutput.standardOutput.line("litellm cost_per_token      \(format(median)) µs per call (litellm \(version))")
        FileOutput.standardOutput.line("ratio                       llm-cost is \(format(median * 1000 / ours))x faster")
    }

    private func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
