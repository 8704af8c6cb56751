/// What a candidate must offer to take a request: capabilities, and enough context.
public struct RouteRequirements: Sendable, Hashable {
    public var tools: Bool
    public var vision: Bool
    public var reasoning: Bool
    /// Tokens of context window the model must have, whatever the request.
    public var minContext: Int64?

    public init(tools: Bool = false, vision: Bool = false, reasoning: Bool = false, minContext: Int64? = nil) {
        self.tools = tools
        self.vision = vision
        self.reasoning = reasoning
        self.minContext = minContext
    }

    /// What `request` itself needs: tools when it offers some, vision when it carries an image,
    /// reasoning when it asks for a thinking budget or effort.
    public static func of(_ request: ChatRequest) -> RouteRequirements {
        let images = request.messages.contains { message in
            guard case .user(let parts) = message else { return false }
            return parts.contains { part in
                switch part {
                case .imageBase64, .imageURL: return true
                case .text: return false
                }
            }
        }
        return RouteRequirements(
            tools: !request.tools.isEmpty, vision: images,
            reasoning: request.reasoningBudgetTokens != nil || request.reasoningEffort != nil)
    }

    /// Both sets of requirements at once.
    public func union(_ other: RouteRequirements) -> RouteRequirements {
        RouteRequirements(
            tools: tools || other.tools, vision: vision || other.vision, reasoning: reasoning || other.reasoning,
            minContext: [minContext, other.minContext].compactMap { $0 }.max())
    }

    /// Why `capabilities` fall short of these requirements, or `nil` when they do not.
    public func shortfall(of capabilities: ProviderCapabilities) -> String? {
        var missing: [String] = []
        if tools, !capabilities.tools { missing.append("tools") }
        if vision, !capabilities.vision { missing.append("vision") }
        if reasoning, !capabilities.reasoning { missing.append("reasoning") }
        return missing.isEmpty ? nil : "lacks " + missing.joined(separator: ", ")
    }
}
