import Foundation
import LLMCostCore

/// A `[providers.NAME]` table of type `router`: the candidates it picks from and how.
///
/// ```toml
/// [providers.smart]
/// type = "router"
/// candidates = ["anthropic:claude-sonnet-4-5", "openai:gpt-4.1", "openrouter"]  # PROVIDER[:MODEL]
/// strategy = "cheapest"          # ordered (default): in this order; cheapest: this request's estimate, lowest first
/// requires = ["tools", "vision"] # and reasoning; besides what each request needs
/// min_context = 100000           # tokens of context window every candidate must have
/// failure_threshold = 3          # consecutive failures that open a candidate's circuit
/// cool_down = 30                 # seconds an open circuit waits before one trial call
/// ```
public struct RouterSettings: Sendable, Hashable {
    public enum Strategy: String, Sendable, Hashable, CaseIterable {
        /// The candidates in the configured order.
        case ordered
        /// The candidates by this request's estimated cost, cheapest first (unpriced ones last).
        case cheapest
    }

    /// One candidate: a configured provider and the model to ask it for (`nil`: its own).
    public struct Candidate: Sendable, Hashable, CustomStringConvertible {
        public var provider: String
        public var model: String?

        public init(provider: String, model: String? = nil) {
            self.provider = provider
            self.model = model
        }

        /// `PROVIDER:MODEL` or `PROVIDER`. The model may itself contain colons (`ollama:llama3:8b`).
        public init?(parsing text: String) {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let provider = parts.first, !provider.isEmpty else { return nil }
            if parts.count == 2, parts[1].isEmpty { return nil }
            self.init(provider: provider, model: parts.count == 2 ? parts[1] : nil)
        }

        public var description: String { model.map { "\(provider):\($0)" } ?? provider }
    }

    public var candidates: [Candidate]
    public var strategy: Strategy
    public var requirements: RouteRequirements
    public var failureThreshold: Int
    public var coolDown: Duration

    public init(
        candidates: [Candidate], strategy: Strategy = .ordered, requirements: RouteRequirements = RouteRequirements(),
        failureThreshold: Int = 3, coolDown: Duration = .seconds(30)
    ) {
        self.candidates = candidates
        self.strategy = strategy
        self.requirements = requirements
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
    }

    public static let knownKeys = ["type", "candidates", "strategy", "requires", "min_context", "failure_threshold", "cool_down"]

    /// Reads the table of router `name`; errors name `providers.NAME.key`.
    init(name: String, table: [String: ConfigValue]) throws(ProviderSettingsError) {
        let prefix = "providers.\(name)"
        for key in table.keys where !Self.knownKeys.contains(key) {
            throw .unknownKey("\(prefix).\(key)", known: Self.knownKeys)
        }
        guard case .array(let values)? = table["candidates"], !values.isEmpty else {
            throw .missingKey("\(prefix).candidates", why: "a router needs candidates, e.g. [\"anthropic:claude-sonnet-4-5\", \"openai:gpt-4.1\"]")
        }
        var candidates: [Candidate] = []
        for value in values {
            guard case .string(let text) = value, let candidate = Candidate(parsing: text) else {
                throw .invalidValue("\(prefix).candidates", "expected \"PROVIDER\" or \"PROVIDER:MODEL\", found \(value)")
            }
            guard candidate.provider != name else { throw .invalidValue("\(prefix).candidates", "a router cannot be its own candidate") }
            guard !candidates.contains(candidate) else { throw .invalidValue("\(prefix).candidates", "`\(candidate)` is listed twice") }
            candidates.append(candidate)
        }
        self.init(candidates: candidates)
        if let value = table["strategy"] {
            guard case .string(let text) = value, let strategy = Strategy(rawValue: text) else {
                throw .invalidValue("\(prefix).strategy", "expected ordered or cheapest, found \(value)")
            }
            self.strategy = strategy
        }
        if let value = table["requires"] {
            guard case .array(let names) = value else { throw .wrongType("\(prefix).requires", expected: "an array of strings", found: value) }
            for name in names {
                switch name {
                case .string("tools"): requirements.tools = true
                case .string("vision"): requirements.vision = true
                case .string("reasoning"): requirements.reasoning = true
                default: throw .invalidValue("\(prefix).requires", "expected tools, vision or reasoning, found \(name)")
                }
            }
        }
        if let value = table["min_context"] {
            guard case .integer(let tokens) = value, tokens > 0 else {
                throw .invalidValue("\(prefix).min_context", "expected a positive number of tokens, found \(value)")
            }
            requirements.minContext = tokens
        }
        if let value = table["failure_threshold"] {
            guard case .integer(let count) = value, (1...100).contains(count) else {
                throw .invalidValue("\(prefix).failure_threshold", "expected 1...100 consecutive failures, found \(value)")
            }
            failureThreshold = Int(count)
        }
        if let value = table["cool_down"] {
            let seconds: Double?
            switch value {
            case .integer(let n): seconds = Double(n)
            case .decimal(let text): seconds = Double(text)
            default: seconds = nil
            }
            guard let seconds, seconds >= 0, seconds <= 86_400 else {
                throw .invalidValue("\(prefix).cool_down", "expected 0...86400 seconds, found \(value)")
            }
            coolDown = .milliseconds(Int64(seconds * 1000))
        }
    }
}
