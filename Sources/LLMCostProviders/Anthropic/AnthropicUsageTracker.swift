import LLMCostCore

/// Anthropic's usage as a stream reveals it, field by field.
///
/// `message_start` carries a full usage and each `message_delta` a cumulative one, possibly with
/// only some fields: every field keeps the LAST value seen, and values are never added.
/// Streams that omit usage in `message_start` carry everything in `message_delta`. A value that
/// is not a count (`WireValue.count`) leaves the field as it was.
struct AnthropicUsageTracker: Sendable {
    private var input: Int64?
    private var output: Int64?
    private var cacheRead: Int64?
    private var cacheCreationTotal: Int64?
    private var cache5m: Int64?
    private var cache1h: Int64?
    private var thinking: Int64?
    private var webSearch: Int64?
    private var webFetch: Int64?

    /// Whether any usage was seen at all.
    private(set) var hasUsage = false

    mutating func merge(_ usage: WireValue) {
        hasUsage = true
        if let v = usage["input_tokens"]?.count { input = v }
        if let v = usage["output_tokens"]?.count { output = v }
        if let v = usage["cache_read_input_tokens"]?.count { cacheRead = v }
        if let v = usage["cache_creation_input_tokens"]?.count { cacheCreationTotal = v }
        if let split = usage["cache_creation"] {
            if let v = split["ephemeral_5m_input_tokens"]?.count { cache5m = v }
            if let v = split["ephemeral_1h_input_tokens"]?.count { cache1h = v }
        }
        if let v = usage["output_tokens_details"]?["thinking_tokens"]?.count { thinking = v }
        if let server = usage["server_tool_use"] {
            if let v = server["web_search_requests"]?.count { webSearch = v }
            if let v = server["web_fetch_requests"]?.count { webFetch = v }
        }
    }

    /// The usage as now known, in our disjoint shape.
    ///
    /// Cache writes: `cache_creation_input_tokens` is the total and `cache_creation` splits it by
    /// lifetime. When a later total outgrows the last split (a `message_delta` updates the
    /// total alone), the 1-hour part keeps its last value and the rest is 5-minute writes,
    /// the default lifetime, so the total is never lost.
    var usage: Usage {
        let splitSum = (cache5m ?? 0) + (cache1h ?? 0)
        let writes = max(cacheCreationTotal ?? 0, splitSum)
        let oneHour = min(cache1h ?? 0, writes)
        return Usage(
            inputTokens: input ?? 0, outputTokens: output ?? 0, cacheReadTokens: cacheRead ?? 0,
            cacheWrite5mTokens: writes - oneHour, cacheWrite1hTokens: oneHour,
            reasoningTokens: thinking ?? 0, webSearchRequests: webSearch ?? 0, webFetchRequests: webFetch ?? 0)
    }
}
