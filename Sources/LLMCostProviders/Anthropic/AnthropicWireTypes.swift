/// The fields of Anthropic stream events that metering and content need, decoded with
/// `JSONDecoder` straight into structs: several times faster than `JSONSerialization`'s
/// dictionaries on Linux, which is most of the cost of reading a stream. Unknown fields are
/// ignored, so new server features do not break decoding.
struct AnthropicWireEvent: Decodable {
    struct Message: Decodable {
        var id: String?
        var model: String?
        var usage: AnthropicWireUsage?
    }

    struct ModelRef: Decodable {
        var model: String?
    }

    struct ContentBlock: Decodable {
        var type: String?
        var text: String?
        var thinking: String?
        var id: String?
        var name: String?
        /// A `fallback` block's replacement model.
        var to: ModelRef?
    }

    struct Delta: Decodable {
        var type: String?
        var text: String?
        var thinking: String?
        var partial_json: String?
        var stop_reason: String?
    }

    struct ErrorBody: Decodable {
        var type: String?
        var message: String?
    }

    var type: String?
    var index: Int?
    var message: Message?
    var content_block: ContentBlock?
    var delta: Delta?
    var usage: AnthropicWireUsage?
    var error: ErrorBody?
}

/// An Anthropic usage object; every field may be absent (a `message_delta` sends only some).
struct AnthropicWireUsage: Decodable {
    struct CacheCreation: Decodable {
        var ephemeral_5m_input_tokens: Int64?
        var ephemeral_1h_input_tokens: Int64?
    }

    struct OutputDetails: Decodable {
        var thinking_tokens: Int64?
    }

    struct ServerToolUse: Decodable {
        var web_search_requests: Int64?
        var web_fetch_requests: Int64?
    }

    var input_tokens: Int64?
    var output_tokens: Int64?
    var cache_read_input_tokens: Int64?
    var cache_creation_input_tokens: Int64?
    var cache_creation: CacheCreation?
    var output_tokens_details: OutputDetails?
    var server_tool_use: ServerToolUse?
}
