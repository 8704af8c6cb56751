import Foundation
import LLMCostCore

/// What the simulator answers when no reply is queued: a deterministic echo, or a scenario.
///
/// A scenario is picked by the `x-simulator-scenario` header, or by asking for the model
/// `sim-SCENARIO`, so it can be chosen from any client, even another process:
///
/// | scenario | behaviour |
/// |---|---|
/// | `echo` (default) | "Simulated reply to: TEXT", one chunk per word |
/// | `tools` | a `get_weather` tool call with arguments split over several deltas |
/// | `reasoning` | reasoning text, then the echo |
/// | `no-usage` | the echo without usage (OpenAI chat: no usage chunk) |
/// | `slow` | the echo with 50 ms between events |
/// | `stall` | two events, then 10 s of silence |
/// | `cut-off` | three events, then the connection closes mid-stream |
/// | `malformed` | the fourth event's JSON is broken (the first content event in every format) |
/// | `rate-limit` | 429 with `Retry-After: 1` |
/// | `overloaded` | 529 |
/// | `server-error` | 500 |
/// | `unauthorized` | 401 |
///
/// Anthropic requests with `cache_control` breakpoints or server tools are billed for them
/// (cache writes, then reads; searches and fetches): see `billExtras`.
public struct SimulatorBehavior: Sendable {
    public var requiredAPIKey: String?
    /// Prefixes written to the simulated prompt cache (see `billExtras`).
    let promptCache = SimulatedPromptCache()

    public init(requiredAPIKey: String? = nil) {
        self.requiredAPIKey = requiredAPIKey
    }

    public static let scenarios = [
        "echo", "tools", "reasoning", "no-usage", "slow", "stall", "cut-off", "malformed", "rate-limit", "overloaded",
        "server-error", "unauthorized",
    ]

    public func reply(to request: SimulatorRequest) -> SimulatedReply {
        if let requiredAPIKey, Self.presentedKey(request) != requiredAPIKey {
            return .httpError(status: 401, message: "invalid x-api-key (the simulator expects a different key)")
        }
        let scenario = request.headers["x-simulator-scenario"]
            ?? request.model.flatMap { $0.hasPrefix("sim-") ? String($0.dropFirst(4)) : nil } ?? "echo"
        var echo = Self.echo(request)
        Self.billExtras(&echo, request: request, cache: promptCache)
        switch scenario {
        case "tools":
            return .toolCall(
                id: "call_sim_weather", name: "get_weather",
                argumentChunks: [#"{"locati"#, #"on": "Pa"#, #"ris", "unit""#, #": "celsius"}"#],
                text: ["Checking the weather."], usage: Usage(inputTokens: echo.usage.inputTokens, outputTokens: 18))
        case "reasoning":
            var completion = echo
            completion.reasoningChunks = ["Let me think. ", "The answer is an echo."]
            completion.usage.outputTokens += 9
            completion.usage.reasoningTokens = 9
            return SimulatedReply(.completion(completion))
        case "no-usage":
            var completion = echo
            completion.sendsUsage = false
            return SimulatedReply(.completion(completion))
        case "slow": return SimulatedReply(.completion(echo), eventDelay: .milliseconds(50))
        case "stall": return SimulatedReply(.completion(echo), stallAfterEvents: 2, stallDuration: .seconds(10))
        case "cut-off": return SimulatedReply(.completion(echo), cutAfterEvents: 3)
        case "malformed": return SimulatedReply(.completion(echo), malformedEventIndex: 3)
        case "rate-limit": return .httpError(status: 429, message: "simulated rate limit", retryAfter: 1)
        case "overloaded": return .httpError(status: 529, message: "simulated overload")
        case "server-error": return .httpError(status: 500, message: "simulated server error")
        case "unauthorized": return .httpError(status: 401, message: "simulated invalid API key")
        default: return SimulatedReply(.completion(echo))
        }
    }

    /// The key the request presents, in whichever header its format uses.
    static func presentedKey(_ request: SimulatorRequest) -> String? {
        if let key = request.headers["x-api-key"] ?? request.headers["api-key"] { return key }
        if let auth = request.headers["authorization"], auth.hasPrefix("Bearer ") { return String(auth.dropFirst(7)) }
        return nil
    }

    /// The deterministic echo: the reply names the last user text; input tokens are the prompt's
    /// characters / 4 (rounded up), output tokens the number of chunks.
    public static func echo(_ request: SimulatorRequest) -> SimulatedCompletion {
        let json = request.json ?? [:]
        var texts: [String] = []
        collectTexts(json["messages"] ?? json["input"], into: &texts)
        let system = (json["system"] as? String) ?? (json["instructions"] as? String) ?? ""
        let prompt = texts.last ?? ""
        let promptCharacters = texts.reduce(system.count) { $0 + $1.count }
        let shown = prompt.count > 200 ? String(prompt.prefix(200)) + "…" : prompt
        let words = "Simulated reply to: \(shown)".split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let chunks = words.enumerated().map { $0.offset == words.count - 1 ? $0.element : $0.element + " " }
        return SimulatedCompletion(
            id: "sim_msg_\(promptCharacters)", textChunks: chunks,
            usage: Usage(inputTokens: Int64(max(1, (promptCharacters + 3) / 4)), outputTokens: Int64(chunks.count)))
    }

    private static func collectTexts(_ any: Any?, into texts: inout [String]) {
        switch any {
        case let array as [Any]: for item in array { collectTexts(item, into: &texts) }
        case let object as [String: Any]:
            if let text = object["text"] as? String { texts.append(text) }
            if let content = object["content"] as? String { texts.append(content) } else { collectTexts(object["content"], into: &texts) }
        default: break
        }
    }
}
