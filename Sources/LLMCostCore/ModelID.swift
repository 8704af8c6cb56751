/// A model as a provider names it: the provider (`anthropic`, `openai`, `openrouter`, ...)
/// and the model id it was called with (`claude-sonnet-4-5`, `gpt-4o-mini`, ...).
public struct ModelID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    public var description: String { "\(provider)/\(model)" }
}
