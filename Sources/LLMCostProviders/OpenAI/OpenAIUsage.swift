import LLMCostCore

/// Converts OpenAI usage objects to our disjoint `Usage`. A value that is not a count
/// (`WireValue.count`) counts as absent.
enum OpenAIUsage {
    /// Chat completions: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens`, and
    /// `completion_tokens` INCLUDES `completion_tokens_details.reasoning_tokens`.
    static func chat(_ usage: WireValue) -> Usage {
        let prompt = usage["prompt_tokens"]?.count ?? 0
        let cached = usage["prompt_tokens_details"]?["cached_tokens"]?.count ?? 0
        return Usage(
            inputTokens: max(0, prompt - cached), outputTokens: usage["completion_tokens"]?.count ?? 0,
            cacheReadTokens: min(cached, prompt),
            reasoningTokens: usage["completion_tokens_details"]?["reasoning_tokens"]?.count ?? 0)
    }

    /// Responses API: `input_tokens` includes `input_tokens_details.cached_tokens`, and
    /// `output_tokens` includes `output_tokens_details.reasoning_tokens`.
    static func responses(_ usage: WireValue) -> Usage {
        let input = usage["input_tokens"]?.count ?? 0
        let cached = usage["input_tokens_details"]?["cached_tokens"]?.count ?? 0
        return Usage(
            inputTokens: max(0, input - cached), outputTokens: usage["output_tokens"]?.count ?? 0,
            cacheReadTokens: min(cached, input),
            reasoningTokens: usage["output_tokens_details"]?["reasoning_tokens"]?.count ?? 0)
    }
}
