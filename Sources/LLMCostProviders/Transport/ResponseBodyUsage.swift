import LLMCostCore

/// The usage and request id of a whole (not streamed) response body, read with the adapters'
/// own usage mapping: for proxies that meter responses they relay.
public struct ResponseBodyUsage: Sendable, Hashable {
    /// `nil` when the body carries no `usage` object (an error body, a truncated one).
    public var usage: Usage?
    /// The response's `id` (`msg_…`, `chatcmpl-…`, `resp_…`).
    public var responseID: String?

    /// Reads `body` as the JSON response of `wire`; bytes that are not a JSON object give
    /// neither usage nor id.
    public init(body: [UInt8], protocol wire: WireProtocol) {
        guard let value = try? WireValueReader.parse(String(decoding: body, as: UTF8.self)), value.isObject else { return }
        responseID = value["id"]?.string
        guard let usage = value["usage"], usage.isObject else { return }
        switch wire {
        case .anthropicMessages:
            var tracker = AnthropicUsageTracker()
            tracker.merge(usage)
            self.usage = tracker.usage
        case .openAIChat:
            self.usage = OpenAIUsage.chat(usage)
        case .openAIResponses:
            self.usage = OpenAIUsage.responses(usage)
        }
    }
}
