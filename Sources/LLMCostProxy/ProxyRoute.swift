import Foundation
import LLMCost

/// Where a request to the proxy goes, and whether it is metered: a pure function of its path.
///
/// - `/v1/messages` (and `/anthropic/v1/...`): Anthropic; the Messages call is metered,
///   `/v1/messages/count_tokens` and other Anthropic paths pass through.
/// - `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings` (and `/openai/v1/...`): OpenAI,
///   metered; any other
///   `/v1/...` path passes through to OpenAI.
/// - `/p/NAME/REST`: the configured provider NAME, `REST` relative to its `base_url`; metered
///   when REST is one of the calls above for the provider's wire format.
public struct ProxyRoute: Sendable, Hashable {
    /// The upstream, by the provider name calls are recorded under.
    public var provider: String
    /// The path to append to the upstream's base URL (starting with `/`, query not included).
    public var upstreamPath: String
    /// The wire format of a metered call; `nil`: passed through unmetered.
    public var metered: WireProtocol?

    public init(provider: String, upstreamPath: String, metered: WireProtocol?) {
        self.provider = provider
        self.upstreamPath = upstreamPath
        self.metered = metered
    }

    /// The route of `path`; `nil` when no route takes it. `providerTypes`: the configured
    /// providers by name and type, for `/p/NAME/...`.
    public static func resolve(path: String, providerTypes: [String: String]) -> ProxyRoute? {
        if path.hasPrefix("/p/") {
            let rest = path.dropFirst(3)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            let name = String(rest[..<slash])
            guard let type = providerTypes[name] else { return nil }
            let upstreamPath = String(rest[slash...])
            return ProxyRoute(provider: name, upstreamPath: upstreamPath, metered: meteredCall(upstreamPath, type: type))
        }
        if path.hasPrefix("/anthropic/") {
            let upstreamPath = String(path.dropFirst("/anthropic".count))
            return ProxyRoute(provider: "anthropic", upstreamPath: upstreamPath, metered: meteredCall(upstreamPath, type: "anthropic"))
        }
        if path.hasPrefix("/openai/") {
            let upstreamPath = String(path.dropFirst("/openai".count))
            return ProxyRoute(provider: "openai", upstreamPath: upstreamPath, metered: meteredCall(upstreamPath, type: "openai"))
        }
        if path == "/v1/messages" || path.hasPrefix("/v1/messages/") {
            return ProxyRoute(provider: "anthropic", upstreamPath: path, metered: meteredCall(path, type: "anthropic"))
        }
        if path.hasPrefix("/v1/") {
            return ProxyRoute(provider: "openai", upstreamPath: path, metered: meteredCall(path, type: "openai"))
        }
        return nil
    }

    /// The metered call at `path` for a provider of `type`, if it is one.
    static func meteredCall(_ path: String, type: String) -> WireProtocol? {
        // A trailing slash is the same endpoint to the providers.
        let path = path.hasSuffix("/") ? String(path.dropLast()) : path
        switch type {
        case "anthropic":
            return path.hasSuffix("/messages") ? .anthropicMessages : nil
        default:
            if path.hasSuffix("/chat/completions") { return .openAIChat }
            if path.hasSuffix("/responses") { return .openAIResponses }
            // Embeddings report usage as chat does (`prompt_tokens`), in a body never streamed.
            if path.hasSuffix("/embeddings") { return .openAIChat }
            return nil
        }
    }

    /// `base` with `upstreamPath` appended; a base ending in `/v1` and a path starting with
    /// `/v1/` share that segment (`https://api.openai.com/v1` + `/v1/models`).
    public static func upstreamURL(base: String, path: String, query: String?) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        var path = path
        if base.hasSuffix("/v1") && (path.hasPrefix("/v1/") || path == "/v1") { path = String(path.dropFirst(3)) }
        let query = query.map { $0.isEmpty ? "" : "?" + $0 } ?? ""
        return base + path + query
    }
}
