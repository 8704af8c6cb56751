import LLMCostCore

/// Converts OpenAI usage objects to our disjoint `Usage`.
enum OpenAIUsage {
    /// Chat completions: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens`, and
    /// `completion_tokens` INCLUDES `completion_tokens_details.reasoning_tokens`.
    static func chat(_ usage: [String: Any]) -> Usage {
        let prompt = WireJSON.int(usage["prompt_tokens"]) ?? 0
        let completion = WireJSON.int(usage["completion_tokens"]) ?? 0
        let cached = WireJSON.dictionary(usage["prompt_tokens_details"]).flatMap { WireJSON.int($0["cached_tokens"]) } ?? 0
        let reasoning =
            WireJSON.dictionary(usage["completion_tokens_details"]).flatMap { WireJSON.int($0["reasoning_tokens"]) } ?? 0
        return Usage(
            inputTokens: max(0, prompt - cached), outputTokens: completion, cacheReadTokens: min(cached, prompt),
            reasoningTokens: reasoning)
    }

    /// The same conversion from the decoded wire struct.
    static func chat(_ usage: OpenAIChatWireUsage) -> Usage {
        let prompt = usage.prompt_tokens ?? 0
        let cached = usage.prompt_tokens_details?.cached_tokens ?? 0
        return Usage(
            inputTokens: max(0, prompt - cached), outputTokens: usage.completion_tokens ?? 0,
            cacheReadTokens: min(cached, prompt), reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0)
    }

    /// Responses API: `input_tokens` includes `input_tokens_details.cached_tokens`, and
    /// `output_tokens` includes `output_tokens_details.reasoning_tokens`.
    static func responses(_ usage: [String: Any]) -> Usage {
        let input = WireJSON.int(usage["input_tokens"]) ?? 0
        let output = WireJSON.int(usage["output_tokens"]) ?? 0
        let cached = WireJSON.dictionary(usage["input_tokens_details"]).flatMap { WireJSON.int($0["cached_tokens"]) } ?? 0
        let reasoning =
            WireJSON.dictionary(usage["output_tokens_details"]).flatMap { WireJSON.int($0["reasoning_tokens"]) } ?? 0
        return Usage(
            inputTokens: max(0, input - cached), outputTokens: output, cacheReadTokens: min(cached, input),
            reasoningTokens: reasoning)
    }
}
