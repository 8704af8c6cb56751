import Foundation
import LLMCost

/// Where a request to the proxy goes, and how it is billed: a pure function of its path.
///
/// - `/v1/messages` (and `/anthropic/v1/...`): Anthropic; the Messages call is metered,
///   `/v1/messages/count_tokens` and other Anthropic paths pass through.
/// - `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`, `/v1/completions` (and
///   `/openai/v1/...`): OpenAI, metered; any other `/v1/...` path passes through to OpenAI.
/// - `/p/NAME/REST`: the configured provider NAME, `REST` relative to its `base_url`; metered
///   when REST is one of the calls above for the provider's wire format.
///
/// Paths that pass through are either free (reads, token counting, moderation, uploads,
/// cancellations) or billed in a form the proxy cannot meter (images, audio, batches,
/// fine-tuning, ...): those are held back while a `block` budget covers them, so a budget
/// cannot be bypassed by calling another endpoint.
public struct ProxyRoute: Sendable, Hashable {
    /// How the upstream bills a POST to the route.
    public enum Billing: Sendable, Hashable {
        /// A call the proxy meters, in this wire format.
        case metered(WireProtocol)
        /// Never billed per call: token counting, moderation, uploads, cancellations; every path
        /// of a local server (Ollama, vLLM).
        case free
        /// Billed, in a form the proxy cannot read usage from (images, audio, batches, ...).
        case unmetered
    }

    /// The upstream, by the provider name calls are recorded under.
    public var provider: String
    /// The path to append to the upstream's base URL (starting with `/`, query not included).
    public var upstreamPath: String
    public var billing: Billing
    /// The model the path names (Azure's `/openai/deployments/NAME/...`), for bodies without one.
    public var pathModel: String?

    public init(provider: String, upstreamPath: String, billing: Billing, pathModel: String? = nil) {
        self.provider = provider
        self.upstreamPath = upstreamPath
        self.billing = billing
        self.pathModel = pathModel
    }

    /// The wire format of a metered call; `nil`: passed through unmetered.
    public var metered: WireProtocol? {
        if case .metered(let wire) = billing { return wire }
        return nil
    }

    /// The route of `path` (normalized: `ProxyPath.normalize`); `nil` when no route takes it.
    /// `providerTypes`: the configured providers by name and type, for `/p/NAME/...`.
    public static func resolve(path: String, providerTypes: [String: String]) -> ProxyRoute? {
        func route(_ provider: String, _ upstreamPath: String, type: String) -> ProxyRoute {
            ProxyRoute(
                provider: provider, upstreamPath: upstreamPath, billing: billing(upstreamPath, type: type),
                pathModel: type == "azure" ? deployment(in: upstreamPath) : nil)
        }
        if path.hasPrefix("/p/") {
            let rest = path.dropFirst(3)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            let name = String(rest[..<slash])
            guard let type = providerTypes[name] else { return nil }
            return route(name, String(rest[slash...]), type: type)
        }
        if path.hasPrefix("/anthropic/") {
            return route("anthropic", String(path.dropFirst("/anthropic".count)), type: "anthropic")
        }
        if path.hasPrefix("/openai/") {
            return route("openai", String(path.dropFirst("/openai".count)), type: "openai")
        }
        if path == "/v1/messages" || path.hasPrefix("/v1/messages/") {
            return route("anthropic", path, type: "anthropic")
        }
        if path.hasPrefix("/v1/") {
            return route("openai", path, type: "openai")
        }
        return nil
    }

    /// How a POST to `path` on a provider of `type` is billed.
    static func billing(_ path: String, type: String) -> Billing {
        // Providers match paths case-insensitively, some of them: so does the meter. A trailing
        // slash is the same endpoint to them.
        var path = path.lowercased()
        if path.hasSuffix("/") { path.removeLast() }
        if type == "ollama" || type == "vllm" {
            if path.hasSuffix("/chat/completions") || path.hasSuffix("/completions") || path.hasSuffix("/embeddings") { return .metered(.openAIChat) }
            if path.hasSuffix("/responses") { return .metered(.openAIResponses) }
            return .free
        }
        let segments = path.split(separator: "/").map(String.init)
        // Cancelling a batch, a response, a fine-tuning job, ...
        if segments.last == "cancel" { return .free }
        // The segments after the API's own `v1` (none for a base URL that ends there).
        let api = segments.firstIndex(of: "v1").map { Array(segments[($0 + 1)...]) } ?? segments
        if type == "anthropic" {
            if path.hasSuffix("/messages") { return .metered(.anthropicMessages) }
            // Anthropic's OpenAI SDK compatibility endpoint.
            if path.hasSuffix("/chat/completions") { return .metered(.openAIChat) }
            if path.hasSuffix("/messages/count_tokens") || api == ["files"] || api.first == "skills" { return .free }
            return .unmetered
        }
        if path.hasSuffix("/chat/completions") { return .metered(.openAIChat) }
        // `compact` is a model call on a conversation, reporting usage as a response does.
        if path.hasSuffix("/responses") || path.hasSuffix("/responses/compact") { return .metered(.openAIResponses) }
        // Embeddings and the legacy completions report usage as chat does (`prompt_tokens`).
        if path.hasSuffix("/embeddings") || path.hasSuffix("/completions") { return .metered(.openAIChat) }
        switch api.first {
        // Storage and bookkeeping that bill nothing per call: uploads and their parts,
        // conversations and their items, assistants and threads with their messages (a run
        // is what bills), evals' definitions, the organization's admin calls.
        case "moderations", "files", "uploads", "conversations", "assistants", "organization": return .free
        case "threads": return api.count <= 3 && !api.contains("runs") ? .free : .unmetered
        case "evals": return api.count <= 2 ? .free : .unmetered
        case "responses": return api == ["responses", "input_tokens"] ? .free : .unmetered
        case "containers": return api.count == 3 && api[2] == "files" ? .free : .unmetered
        // A stored chat completion's metadata.
        case "chat": return api.count == 3 && api[1] == "completions" ? .free : .unmetered
        default: return .unmetered
        }
    }

    /// The deployment an Azure path names: `/openai/deployments/NAME/chat/completions`.
    static func deployment(in path: String) -> String? {
        let segments = path.split(separator: "/")
        guard let index = segments.firstIndex(of: "deployments"), index + 1 < segments.count else { return nil }
        return String(segments[index + 1])
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
