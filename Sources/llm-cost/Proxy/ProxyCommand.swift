import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostProxy

/// `llm-cost proxy`: meter any program's LLM calls by pointing its base URL here.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Relay LLM API calls to their providers, metering and budgeting them on the way.",
        discussion: """
            Point a client's base URL here (ANTHROPIC_BASE_URL=http://127.0.0.1:8787, \
            OPENAI_BASE_URL=http://127.0.0.1:8787/v1). Anthropic Messages (/v1/messages) and OpenAI \
            chat completions, Responses, embeddings and completions (/v1/chat/completions, \
            /v1/responses, /v1/embeddings, /v1/completions) are metered; other /v1 paths pass \
            through, except billed calls the proxy cannot meter (images, audio, batches), which a \
            block budget holds back (proxy.unmetered). A configured provider NAME is at /p/NAME/. \
            Upstreams come from [providers.anthropic], [providers.openai] and [providers.NAME] \
            base_url (else the type's default), never from OPENAI_BASE_URL or ANTHROPIC_BASE_URL.

            Attribute calls with the x-llm-cost-agent, x-llm-cost-session and x-llm-cost-tags \
            (key=value,...) headers, or in the base URL: http://127.0.0.1:8787/@agent=NAME,team=T/v1. \
            proxy.key_agents maps a client key's SHA-256 to an agent. proxy.hold_keys makes the proxy \
            send a provider's key itself; proxy.access_tokens_file keeps other local users out.
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The address to listen on (default: proxy.host, 127.0.0.1).") var host: String?
    @Option(help: "The port (default: proxy.port, 8787; 0: a free one).") var port: Int?

    func run() async throws {
        var configuration = try ledger.loadConfiguration()
        if let host { configuration.override("proxy.host", with: .string(host), flag: "--host") }
        if let port { configuration.override("proxy.port", with: .integer(Int64(port)), flag: "--port") }
        let settings = try MeteringProxy.Settings(configuration: configuration)
        if !settings.access.heldKeys.isEmpty, !settings.access.requiresToken {
            FileOutput.standardError.write(
                "llm-cost proxy: warning: it sends its own keys (proxy.hold_keys) to anyone who reaches \(settings.host); set proxy.access_tokens_file to require a token\n")
        }
        let proxy = MeteringProxy(settings: settings, meter: try Meter(configuration: configuration))
        try await proxy.run { port in
            FileOutput.standardOutput.write("listening on http://\(settings.host):\(port)\n")
        }
    }
}
