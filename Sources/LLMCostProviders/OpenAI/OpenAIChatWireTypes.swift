/// The fields of chat completion chunks that the adapter reads, decoded with `JSONDecoder`
/// (see `AnthropicWireEvent` for why). Unknown fields are ignored.
struct OpenAIChatChunk: Decodable {
    struct Choice: Decodable {
        var delta: Delta?
        var finish_reason: String?
    }

    struct Delta: Decodable {
        var content: String?
        /// DeepSeek, vLLM.
        var reasoning_content: String?
        /// OpenRouter.
        var reasoning: String?
        var tool_calls: [ToolCallDelta]?
    }

    struct ToolCallDelta: Decodable {
        struct Function: Decodable {
            var name: String?
            var arguments: String?
        }

        var index: Int?
        var id: String?
        var function: Function?
    }

    var id: String?
    var model: String?
    var choices: [Choice]?
    var usage: OpenAIChatWireUsage?
    var error: OpenAIWireError?
}

/// Chat completions usage: `prompt_tokens` includes the cached, `completion_tokens` the reasoning.
struct OpenAIChatWireUsage: Decodable {
    struct PromptDetails: Decodable {
        var cached_tokens: Int64?
    }

    struct CompletionDetails: Decodable {
        var reasoning_tokens: Int64?
    }

    var prompt_tokens: Int64?
    var completion_tokens: Int64?
    var prompt_tokens_details: PromptDetails?
    var completion_tokens_details: CompletionDetails?
}

/// An error inside a stream: an object (`message`, `type`, `code` as a number or a string)
/// or a bare string, depending on the server.
struct OpenAIWireError: Decodable {
    var message: String?
    var type: String?
    var status: Int?
    var codeText: String?

    private enum Keys: String, CodingKey {
        case message, type, code
    }

    init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            message = text
            return
        }
        let container = try decoder.container(keyedBy: Keys.self)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        if let number = try? container.decodeIfPresent(Int.self, forKey: .code) {
            status = number
        } else {
            codeText = try? container.decodeIfPresent(String.self, forKey: .code)
        }
    }
}
