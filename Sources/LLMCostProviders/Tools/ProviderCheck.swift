import Foundation

/// `llm-cost providers check`: one cheap real request per provider, with a diagnosis a person
/// can act on (which key to set, whether the URL or the network is wrong).
public struct ProviderCheck: Sendable {
    /// The outcome for one provider.
    public struct Result: Sendable {
        public var name: String
        public var ok: Bool
        /// `ok`, or what went wrong and what to do about it.
        public var diagnosis: String
        public var model: String?
        public var latency: Duration?
    }

    public var registry: ProviderRegistry

    public init(registry: ProviderRegistry) {
        self.registry = registry
    }

    /// Checks `name` with a one-token request; a router, each of its candidates (`smart → anthropic:claude-sonnet-4-5`).
    public func checks(_ name: String) async -> [Result] {
        guard (try? registry.settings(named: name))?.type == ProviderSettings.routerType else { return [await check(name)] }
        let router: LLMRouter
        do {
            router = try registry.router(named: name, maxRetries: 0)
        } catch {
            return [Result(name: name, ok: false, diagnosis: "not usable: \(error)")]
        }
        var results: [Result] = []
        for candidate in router.candidates {
            let label = "\(name) → \(candidate.label)"
            guard let provider = candidate.provider else {
                results.append(Result(name: label, ok: false, diagnosis: candidate.unavailable ?? "unavailable", model: candidate.model))
                continue
            }
            results.append(await check(provider, as: label, model: candidate.model))
        }
        return results
    }

    /// Checks `name` with a one-token request.
    public func check(_ name: String) async -> Result {
        let provider: any LLMProvider
        do {
            // No retries: a check reports what the first attempt met, at once.
            provider = try registry.provider(named: name, maxRetries: 0)
        } catch {
            return Result(name: name, ok: false, diagnosis: "not usable: \(error)")
        }
        return await check(provider, as: name, model: nil)
    }

    private func check(_ provider: any LLMProvider, as label: String, model: String?) async -> Result {
        let clock = ContinuousClock()
        let started = clock.now
        var request = ChatRequest.user("Reply with: ok", maxTokens: 1)
        request.model = model
        let asked = model ?? provider.defaultModel
        do {
            let response = try await provider.complete(request)
            return Result(name: label, ok: true, diagnosis: "ok", model: response.model ?? asked, latency: clock.now - started)
        } catch let error as ProviderError {
            return Result(name: label, ok: false, diagnosis: Self.diagnose(error), model: asked, latency: clock.now - started)
        } catch {
            return Result(name: label, ok: false, diagnosis: "\(error)", model: asked)
        }
    }

    /// Turns an error into advice.
    static func diagnose(_ error: ProviderError) -> String {
        let hint: String
        switch error.kind {
        case .authentication: hint = "the API key was rejected: check the key variable's value"
        case .permission: hint = "the key may not use this model or endpoint"
        case .notFound: hint = "wrong base URL, or the model does not exist there"
        case .network: hint = "cannot reach the server: check the base URL and the network"
        case .timeout: hint = "the server did not answer in time"
        case .rateLimited: hint = "rate limited: the key works, try again later"
        case .overloaded, .server: hint = "the provider has a problem right now"
        case .decoding: hint = "the server does not speak this provider's wire format: check `type` and the base URL"
        default: hint = "see the message"
        }
        return "\(hint) (\(error))"
    }
}
