import Foundation
import LLMCostCore

/// Realistic, deterministic synthetic calls: the demo's week of agent traffic and the
/// benchmarks' millions of rows. The same seed gives the same calls.
public struct SyntheticWorkload: Sendable {
    /// A model an agent calls, with its typical request shape.
    public struct ModelUse: Sendable {
        public var provider: String
        public var model: String
        /// Share of the agent's calls (relative weight).
        public var weight: Int
        public var typicalInput: Int64
        public var typicalOutput: Int64
        /// Share of the prompt served from cache, in percent (Anthropic-style cache reads).
        public var cachedPercent: Int64
        /// Share of output that is reasoning, in percent.
        public var reasoningPercent: Int64
        /// Chance of a web search per call, in percent.
        public var webSearchPercent: Int
    }

    public struct AgentProfile: Sendable {
        public var name: String
        public var team: String
        public var models: [ModelUse]
        /// Relative share of all calls.
        public var weight: Int
        /// Calls per session, on average.
        public var callsPerSession: Int
    }

    public var agents: [AgentProfile]
    /// Values of the `customer` tag to spread calls over (none: no such tag).
    public var customers: Int

    /// Three agents on two providers: the README demo.
    public static let demo = SyntheticWorkload(agents: [
        AgentProfile(name: "researcher", team: "search", models: [
            ModelUse(provider: "anthropic", model: "claude-sonnet-4-5", weight: 6, typicalInput: 9_000, typicalOutput: 900, cachedPercent: 60, reasoningPercent: 0, webSearchPercent: 30),
            ModelUse(provider: "anthropic", model: "claude-haiku-4-5", weight: 4, typicalInput: 4_000, typicalOutput: 400, cachedPercent: 40, reasoningPercent: 0, webSearchPercent: 0),
        ], weight: 4, callsPerSession: 12),
        AgentProfile(name: "coder", team: "platform", models: [
            ModelUse(provider: "anthropic", model: "claude-sonnet-4-5", weight: 5, typicalInput: 30_000, typicalOutput: 2_500, cachedPercent: 80, reasoningPercent: 20, webSearchPercent: 0),
            ModelUse(provider: "openai", model: "gpt-4.1", weight: 3, typicalInput: 12_000, typicalOutput: 1_500, cachedPercent: 50, reasoningPercent: 0, webSearchPercent: 0),
        ], weight: 5, callsPerSession: 25),
        AgentProfile(name: "reviewer", team: "platform", models: [
            ModelUse(provider: "openai", model: "gpt-4o-mini", weight: 6, typicalInput: 6_000, typicalOutput: 500, cachedPercent: 30, reasoningPercent: 0, webSearchPercent: 0),
            ModelUse(provider: "openai", model: "o4-mini", weight: 3, typicalInput: 8_000, typicalOutput: 3_000, cachedPercent: 20, reasoningPercent: 70, webSearchPercent: 0),
        ], weight: 3, callsPerSession: 6),
    ], customers: 0)

    /// Ten agents, three providers, fifteen models, a thousand customers: benchmark scale.
    public static let large: SyntheticWorkload = {
        let catalog: [(String, String, Int64, Int64, Int64, Int64)] = [
            ("anthropic", "claude-opus-4-1", 20_000, 2_000, 50, 10), ("anthropic", "claude-sonnet-4-5", 15_000, 1_500, 70, 15),
            ("anthropic", "claude-haiku-4-5", 5_000, 500, 40, 0), ("anthropic", "claude-3-5-haiku", 3_000, 300, 0, 0),
            ("openai", "gpt-5", 12_000, 3_000, 40, 50), ("openai", "gpt-5-mini", 6_000, 1_500, 30, 40),
            ("openai", "gpt-4.1", 10_000, 1_000, 50, 0), ("openai", "gpt-4.1-mini", 5_000, 700, 30, 0),
            ("openai", "gpt-4o", 8_000, 900, 30, 0), ("openai", "gpt-4o-mini", 4_000, 400, 20, 0),
            ("openai", "o3", 9_000, 4_000, 20, 70), ("openai", "o4-mini", 7_000, 3_000, 20, 70),
            ("openrouter", "openrouter/anthropic/claude-sonnet-4.5", 14_000, 1_400, 60, 0),
            ("openrouter", "openrouter/google/gemini-2.5-pro", 20_000, 2_000, 0, 30),
            ("openrouter", "openrouter/deepseek/deepseek-chat", 8_000, 800, 0, 0),
        ]
        let teams = ["search", "platform", "growth", "support", "research"]
        var agents: [AgentProfile] = []
        for index in 0..<10 {
            let picks = (0..<4).map { catalog[(index * 3 + $0 * 4) % catalog.count] }
            agents.append(AgentProfile(
                name: "agent-\(index)", team: teams[index % teams.count],
                models: picks.enumerated().map { offset, pick in
                    ModelUse(provider: pick.0, model: pick.1, weight: 4 - offset, typicalInput: pick.2, typicalOutput: pick.3,
                             cachedPercent: pick.4, reasoningPercent: pick.5, webSearchPercent: offset == 0 ? 5 : 0)
                }, weight: 1 + index % 4, callsPerSession: 20))
        }
        return SyntheticWorkload(agents: agents, customers: 1000)
    }()

    public init(agents: [AgentProfile], customers: Int) {
        self.agents = agents
        self.customers = customers
    }

    /// Generates `count` calls spread over `[start, end)` (ms since 1970), busier in working
    /// hours, handing each to `body`.
    public func generate(
        count: Int, start: Int64, end: Int64, seed: UInt64 = 42, _ body: (CallRecord) throws -> Void
    ) rethrows {
        var random = SplitMix64(seed: seed)
        let agentWeights = agents.map(\.weight)
        let span = max(end - start, 1)
        var sessionCounters = [Int](repeating: 0, count: agents.count)
        var sessionIDs = [Int](repeating: 0, count: agents.count)
        for index in 0..<count {
            // Even spacing plus jitter; two thirds of the calls that would fall at night (UTC)
            // move ten hours later, so days have a working-hours shape.
            var ms = start + Int64((Double(index) + random.unit()) / Double(count) * Double(span))
            let hourOfDay = (ms / 3_600_000) % 24
            if (hourOfDay < 7 || hourOfDay > 20) && random.next() % 3 != 0 {
                ms = min(end - 1, ms + 10 * 3_600_000)
            }
            let agentIndex = random.pick(weights: agentWeights)
            let agent = agents[agentIndex]
            sessionCounters[agentIndex] += 1
            if sessionCounters[agentIndex] >= agent.callsPerSession || random.next() % UInt64(agent.callsPerSession * 2) == 0 {
                sessionCounters[agentIndex] = 0
                sessionIDs[agentIndex] += 1
            }
            let use = agent.models[random.pick(weights: agent.models.map(\.weight))]
            let prompt = Int64(Double(use.typicalInput) * (0.3 + 1.4 * random.unit()))
            let output = Int64(Double(use.typicalOutput) * (0.2 + 1.6 * random.unit()))
            let cached = use.provider == "anthropic" || use.cachedPercent > 0 ? prompt * use.cachedPercent / 100 : 0
            let cacheWrite = use.provider == "anthropic" && random.next() % 10 == 0 ? prompt / 5 : 0
            let failed = random.next() % 200 == 0
            var tags = ["team": agent.team]
            if customers > 0 { tags["customer"] = "c\(random.next() % UInt64(customers))" }
            let usage = failed ? Usage() : Usage(
                inputTokens: max(prompt - cached - cacheWrite, 0), outputTokens: output,
                cacheReadTokens: cached, cacheWrite5mTokens: cacheWrite, cacheWrite1hTokens: 0,
                reasoningTokens: output * use.reasoningPercent / 100,
                webSearchRequests: Int(random.next() % 100) < use.webSearchPercent ? Int64(1 + random.next() % 3) : 0)
            try body(CallRecord(
                timestamp: Date(timeIntervalSince1970: Double(ms) / 1000), provider: use.provider, model: use.model,
                agent: agent.name, session: "\(agent.name)-\(sessionIDs[agentIndex])", tags: tags,
                requestID: "syn-\(seed)-\(index)", status: failed ? .error : .ok, usage: usage,
                latencyMilliseconds: 300 + Int64(random.next() % 20_000) * (output + 100) / 2000))
        }
    }
}

extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func pick(weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        var roll = Int(next() % UInt64(max(total, 1)))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}
