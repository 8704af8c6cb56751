import Foundation
import LLMCostCore
import Synchronization

/// How the simulator bills what a Messages API request asks for beyond plain input: prompt
/// caching (`cache_control` breakpoints) and server tools (`web_search`, `web_fetch`), as
/// Anthropic does, so metering can be checked against streams that carry cache writes, cache
/// reads and per-use fees.
///
/// - Caching: the prefix up to the last breakpoint (tools, then system, then messages) is
///   written the first time the simulator sees it (5-minute or 1-hour writes, split at the
///   last 1-hour breakpoint) and read on later requests with the same prefix and model.
/// - Server tools: web search runs `min(max_uses, 1 + characters % 3)` times (2 when unbounded),
///   each adding 2,500 tokens of results to the input; web fetch runs once and adds
///   `min(max_content_tokens, 8,000)` tokens.
/// Counting follows the echo: a token is 4 characters, rounded up.
final class SimulatedPromptCache: Sendable {
    private let written = Mutex<Set<String>>([])

    /// Whether `key` was written before; notes it as written.
    func lookUpAndWrite(_ key: String) -> Bool {
        written.withLock { !$0.insert(key).inserted }
    }
}

extension SimulatorBehavior {
    static let searchResultTokens: Int64 = 2_500
    static let fetchedTokensCap: Int64 = 8_000

    /// Rewrites the echo's usage for caching and server tools, when an Anthropic request asks for them.
    static func billExtras(_ completion: inout SimulatedCompletion, request: SimulatorRequest, cache: SimulatedPromptCache) {
        guard request.format == .anthropic, let json = request.json else { return }
        let tools = json["tools"] as? [[String: Any]] ?? []
        var pieces: [(text: String, control: [String: Any]?)] = []
        // Client tool definitions are prompt text; server tools' ({"type": ...}) are not counted.
        for tool in tools where tool["type"] == nil || tool["cache_control"] != nil {
            let text = (try? JSONSerialization.data(withJSONObject: tool, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? ""
            pieces.append((text, tool["cache_control"] as? [String: Any]))
        }
        if let system = json["system"] as? String {
            pieces.append((system, nil))
        } else if let blocks = json["system"] as? [[String: Any]] {
            for block in blocks { pieces.append((block["text"] as? String ?? "", block["cache_control"] as? [String: Any])) }
        }
        for message in json["messages"] as? [[String: Any]] ?? [] {
            if let text = message["content"] as? String {
                pieces.append((text, nil))
            } else {
                for block in message["content"] as? [[String: Any]] ?? [] {
                    pieces.append((block["text"] as? String ?? block["content"] as? String ?? "", block["cache_control"] as? [String: Any]))
                }
            }
        }
        let marks = pieces.indices.filter { pieces[$0].control != nil }
        let searches = tools.first { ($0["type"] as? String)?.hasPrefix("web_search") == true }
        let fetch = tools.first { ($0["type"] as? String)?.hasPrefix("web_fetch") == true }
        guard !marks.isEmpty || searches != nil || fetch != nil else { return }

        func tokens(_ characters: Int) -> Int64 { Int64((characters + 3) / 4) }
        let totalCharacters = pieces.reduce(0) { $0 + $1.text.count }
        var usage = completion.usage
        usage.inputTokens = max(1, tokens(totalCharacters))
        if let last = marks.last {
            let prefixCharacters = pieces[...last].reduce(0) { $0 + $1.text.count }
            let lastOneHour = marks.last { (pieces[$0].control?["ttl"] as? String) == "1h" }
            let oneHourCharacters = lastOneHour.map { pieces[...$0].reduce(0) { $0 + $1.text.count } } ?? 0
            let prefix = tokens(prefixCharacters)
            let oneHour = min(prefix, tokens(oneHourCharacters))
            let key = (request.model ?? "") + "\u{0}" + pieces[...last].map(\.text).joined(separator: "\u{1}")
            if cache.lookUpAndWrite(key) {
                usage.cacheReadTokens = prefix
            } else {
                usage.cacheWrite1hTokens = oneHour
                usage.cacheWrite5mTokens = prefix - oneHour
            }
            usage.inputTokens = max(0, usage.inputTokens - prefix)
        }
        if let searches {
            let bound = (searches["max_uses"] as? Int) ?? 2
            let uses = Int64(max(0, min(bound, 1 + totalCharacters % 3)))
            usage.webSearchRequests = uses
            usage.inputTokens += uses * searchResultTokens
        }
        if let fetch {
            let bound = (fetch["max_uses"] as? Int) ?? 1
            if bound > 0 {
                usage.webFetchRequests = 1
                usage.inputTokens += min(Int64((fetch["max_content_tokens"] as? Int) ?? Int(fetchedTokensCap)), fetchedTokensCap)
            }
        }
        completion.usage = usage
    }
}
