import LLMCostCore

/// Converts OpenAI usage objects to our disjoint `Usage`.
enum OpenAIUsage {
    /// Chat completions: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens`, and
    /// `completion_tokens` INCLUDES `completion_tokens_details.reasoning_tokens`.
    static func chat(_ usage: WireValue) -> Usage {
        let prompt = usage["prompt_tokens"]?.int64 ?? 0
        let cached = usage["prompt_tokens_details"]?["cached_tokens"]?.int64 ?? 0
        return Usage(
            inputTokens: max(0, prompt - cached), outputTokens: usage["completion_tokens"]?.int64 ?? 0,
            cacheReadTokens: min(cached, prompt),
            reasoningTokens: usage["completion_tokens_details"]?["reasoning_tokens"]?.int64 ?? 0)
    }

    /// Responses API: `input_tokens` includes `input_tokens_details.cached_tokens`, and
    /// `output_tokens` includes `output_tokens_details.reasoning_tokens`.
    static func responses(_ usage: WireValue) -> Usage {
        let input = usage["input_tokens"]?.int64 ?? 0
        let cached = usage["input_tokens_details"]?["cached_tokens"]?.int64 ?? 0
        return Usage(
            inputTokens: max(0, input - cached), outputTokens: usage["output_tokens"]?.int64 ?? 0,
            cacheReadTokens: min(cached, input),
            reasoningTokens: usage["output_tokens_details"]?["reasoning_tokens"]?.int64 ?? 0)
    }
}
