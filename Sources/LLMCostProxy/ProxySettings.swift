import Foundation
import LLMCost

extension MeteringProxy.Settings {
    /// `[proxy]` host and port, and the upstreams of `[providers.NAME]` tables (their `base_url`,
    /// never the `*_BASE_URL` environment variables, which clients point at the proxy).
    public init(configuration: Configuration) throws {
        let port = configuration.integer("proxy.port") ?? 8787
        guard (0...65_535).contains(port) else { throw configuration.invalid("proxy.port", "expected 0 to 65535, got \(port)") }
        var upstreams: [String: String] = [:]
        var types: [String: String] = [:]
        for table in configuration.providers {
            if case .string(let type)? = table.values["type"] { types[table.name] = type }
            if case .string(let base)? = table.values["base_url"] { upstreams[table.name] = base }
        }
        // Built-in names keep their types even without a table.
        types["anthropic"] = types["anthropic"] ?? "anthropic"
        types["openai"] = types["openai"] ?? "openai"
        let grace = configuration.integer("proxy.shutdown_grace_ms") ?? 10_000
        guard (0...3_600_000).contains(grace) else {
            throw configuration.invalid("proxy.shutdown_grace_ms", "expected 0 to 3600000 milliseconds, got \(grace)")
        }
        self.init(
            host: configuration.string("proxy.host") ?? "127.0.0.1", port: Int(port), upstreams: upstreams, providerTypes: types,
            shutdownGrace: .milliseconds(grace))
    }
}
