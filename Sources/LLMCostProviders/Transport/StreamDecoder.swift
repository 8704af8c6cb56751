/// The wire formats the adapters read.
public enum WireProtocol: String, Sendable, Hashable, CaseIterable {
    case anthropicMessages = "anthropic"
    case openAIChat = "openai-chat"
    case openAIResponses = "openai-responses"
}

/// Bytes of a provider's event stream in, `StreamEvent`s out, with no network: for recorded
/// streams, proxies that meter traffic they relay, and benchmarks. The adapters use the same
/// parsers on live responses.
public struct StreamDecoder: Sendable {
    private var sse = SSEDecoder()
    private var parser: any WireStreamParser

    private let provider: String
    private let requestID: String?

    public init(protocol wire: WireProtocol, provider: String, requestID: String? = nil) {
        self.provider = provider
        self.requestID = requestID
        switch wire {
        case .anthropicMessages: parser = AnthropicStreamParser(provider: provider, requestID: requestID)
        case .openAIChat: parser = OpenAIChatStreamParser(provider: provider, requestID: requestID)
        case .openAIResponses: parser = OpenAIResponsesStreamParser(provider: provider, requestID: requestID)
        }
    }

    /// Feeds the next bytes; returns the events they complete. When one of them fails, the
    /// events before it in the same bytes are lost with the error: `decode(_:into:)` keeps them.
    public mutating func decode<Bytes: Collection>(_ bytes: Bytes) throws(ProviderError) -> [StreamEvent]
    where Bytes.Element == UInt8 {
        var events: [StreamEvent] = []
        try decode(bytes, into: &events)
        return events
    }

    /// Feeds the next bytes and appends the events they complete to `events`. When one of them
    /// fails, the events before it are already appended, so the usage a stream reported before
    /// its error is still known, however the bytes were split.
    public mutating func decode<Bytes: Collection>(_ bytes: Bytes, into events: inout [StreamEvent]) throws(ProviderError)
    where Bytes.Element == UInt8 {
        for event in sse.decode(bytes) { events += try parser.consume(event) }
    }

    /// The stream ended: the last events, or an error when it was cut off.
    public mutating func finish() throws(ProviderError) -> [StreamEvent] {
        var events: [StreamEvent] = []
        try finish(into: &events)
        return events
    }

    /// The stream ended: appends the last events to `events`, then throws when it was cut off
    /// (after appending what its last event said).
    public mutating func finish(into events: inout [StreamEvent]) throws(ProviderError) {
        try parser.finishStream(&sse, provider: provider, requestID: requestID, into: &events)
    }
}
