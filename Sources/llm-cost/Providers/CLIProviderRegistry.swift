import Foundation
import LLMCost
import LLMCostCommandLine

/// The providers the CLI knows: the environment presets, with the config file's
/// `[providers.NAME]` tables layered on (a table named like a preset replaces it).
///
/// `LLM_COST_RAW_LOG=1` prints every request, response head and body chunk to stderr,
/// secrets redacted, for debugging a provider.
enum CLIProviderRegistry {
    static func load(_ configuration: Configuration) throws -> ProviderRegistry {
        var rawLog: RawLogHook?
        if ProcessInfo.processInfo.environment["LLM_COST_RAW_LOG"] == "1" {
            rawLog = { @Sendable provider, entry in
                FileOutput.standardError.line("[\(provider)] \(describe(entry))")
            }
        }
        return try configuration.providerRegistry(rawLog: rawLog)
    }

    private static func describe(_ entry: RawLogEntry) -> String {
        switch entry {
        case .request(let method, let url, let headers, let body):
            return "> \(method) \(url) \(headers.map { "\($0.name): \($0.value)" }.joined(separator: "; "))\n> \(body)"
        case .response(let status, let headers):
            return "< \(status) \(headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))"
        case .chunk(let text):
            return "< \(text)"
        }
    }
}
