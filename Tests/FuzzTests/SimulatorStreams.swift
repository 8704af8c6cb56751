// Shared with the libFuzzer executable (`Fuzz/Sources/llm-cost-fuzz` links to this file), so
// both harnesses start from the same streams.
import LLMCostCore
import LLMCostProviders
import LLMCostSimulator

/// The simulator's exact streams for a few replies in `wire`'s format: text, reasoning, tool
/// calls with split arguments, cache and reasoning usage, a stop reason, no usage at all.
func simulatorStreams(_ wire: WireProtocol) -> [[UInt8]] {
    guard let format = WireFormat(rawValue: wire.rawValue) else { return [] }
    let completions = [
        SimulatedCompletion(model: "sim-model", textChunks: ["Hello", " there", "!"]),
        SimulatedCompletion(
            id: "sim_0002", textChunks: ["Let me check."], reasoningChunks: ["The user", " wants weather."],
            toolCalls: [
                SimulatedToolCall(id: "call_1", name: "get_weather", argumentChunks: ["{\"city\":", " \"Paris\"}"]),
                SimulatedToolCall(id: "call_2", name: "get_time", argumentChunks: ["{}"]),
            ],
            usage: Usage(inputTokens: 120, outputTokens: 40, cacheReadTokens: 900, cacheWrite5mTokens: 30, reasoningTokens: 12)),
        SimulatedCompletion(id: "sim_0003", textChunks: ["Cut"], stopReason: "max_tokens", sendsUsage: false),
    ]
    return completions.map { Array(ProviderSimulator.eventStreamText(for: $0, format: format).utf8) }
}
