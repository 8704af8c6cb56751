/// One chat message as a request carries it.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String
    /// The optional participant name OpenAI accepts on a message.
    public var name: String?

    public init(role: String, content: String, name: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
    }
}

/// A function tool offered to the model, reduced to what its token cost depends on.
public struct ToolDefinition: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var type: String
        public var description: String
        public var enumValues: [String]

        public init(name: String, type: String, description: String = "", enumValues: [String] = []) {
            self.name = name
            self.type = type
            self.description = description
            self.enumValues = enumValues
        }
    }

    public var name: String
    public var description: String
    public var parameters: [Parameter]

    public init(name: String, description: String, parameters: [Parameter] = []) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// Counts a whole chat request the way the API bills its input.
///
/// Exact encodings follow the OpenAI cookbook ("How to count tokens with tiktoken"): each
/// message costs 3 tokens of framing plus its role and content, a `name` one more, and the reply
/// is primed with 3. Function tools follow the cookbook's `num_tokens_for_tools`: per function
/// 7 tokens on o200k models (10 on cl100k), `name:description` encoded; per parameter list 3,
/// per parameter 3 plus `name:type:description`; an enum -3 plus 3 and the value per item;
/// 12 to close the tool block. A trailing period of a description is dropped, as the cookbook does.
///
/// Heuristic models use the same framing constants (a documented assumption, since their chat
/// templates are not public) and estimate the texts; Claude adds the tool-use system prompt
/// Anthropic documents (346 tokens when tools are present).
public struct ChatTokenCounter: Sendable {
    public let counter: TokenCounter
    /// Anthropic's published tool-use system prompt size, added when tools are present.
    let toolSystemPromptTokens: Int

    public static let tokensPerMessage = 3
    public static let tokensPerName = 1
    public static let replyPrimingTokens = 3

    public init(counter: TokenCounter, model: String = "") {
        self.counter = counter
        toolSystemPromptTokens = HeuristicEstimator.profile(forModel: model) == .anthropic && counter.encoding == nil ? 346 : 0
    }

    /// Input tokens of a request with `messages` and `tools`.
    public func count(messages: [ChatMessage], tools: [ToolDefinition] = []) -> TokenEstimate {
        var total = fixed(0)
        for message in messages {
            total = total + fixed(Self.tokensPerMessage) + counter.count(message.role) + counter.count(message.content)
            if let name = message.name {
                total = total + counter.count(name) + fixed(Self.tokensPerName)
            }
        }
        total = total + fixed(Self.replyPrimingTokens)
        if !tools.isEmpty { total = total + toolTokens(tools) + fixed(toolSystemPromptTokens) }
        return total
    }

    private func toolTokens(_ tools: [ToolDefinition]) -> TokenEstimate {
        let functionInit = counter.encoding?.name == .cl100k_base ? 10 : 7
        let propertyInit = 3, propertyKey = 3, enumInit = -3, enumItem = 3, functionEnd = 12
        var total = fixed(0)
        for tool in tools {
            total = total + fixed(functionInit) + counter.count(tool.name + ":" + Self.withoutFinalPeriod(tool.description))
            if !tool.parameters.isEmpty {
                total = total + fixed(propertyInit)
                for parameter in tool.parameters {
                    total = total + fixed(propertyKey)
                    if !parameter.enumValues.isEmpty {
                        total = total + fixed(enumInit)
                        for value in parameter.enumValues { total = total + fixed(enumItem) + counter.count(value) }
                    }
                    total = total + counter.count("\(parameter.name):\(parameter.type):\(Self.withoutFinalPeriod(parameter.description))")
                }
            }
        }
        return total + fixed(functionEnd)
    }

    private func fixed(_ tokens: Int) -> TokenEstimate {
        let method: TokenEstimate.Method
        switch counter.backend {
        case .exact(let encoding): method = .exact(encoding.name)
        case .heuristic(let estimator): method = .heuristic(estimator.profile.name)
        }
        return TokenEstimate(tokens: tokens, low: tokens, high: tokens, method: method)
    }

    private static func withoutFinalPeriod(_ text: String) -> String {
        text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
