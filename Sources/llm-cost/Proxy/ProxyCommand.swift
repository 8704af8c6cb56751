import ArgumentParser
import Foundation
import LLMCost
import LLMCostProxy

/// `llm-cost proxy`: meter any program's LLM calls by pointing its base URL here.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Relay LLM API calls to their providers, metering and budgeting them on the way.",
        discussion: """
            Point a client's base URL here (ANTHROPIC_BASE_URL=http://127.0.0.1:8787, \
            OPENAI_BASE_URL=http://127.0.0.1:8787/v1). Anthropic Messages (/v1/messages) and OpenAI \
            chat completions and Responses (/v1/chat/completions, /v1/responses) are metered; other \
            /v1 paths pass through. A configured provider NAME is at /p/NAME/. Upstreams come from \
            [providers.anthropic], [providers.openai] and [providers.NAME] base_url (else the official \
            endpoints), never from OPENAI_BASE_URL or ANTHROPIC_BASE_URL. Attribute calls with the \
            x-llm-cost-agent, x-llm-cost-session and x-llm-cost-tags (key=value,...) headers.
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The address to listen on (default: proxy.host, 127.0.0.1).") var host: String?
    @Option(help: "The port (default: proxy.port, 8787; 0: a free one).") var port: Int?

    func run() async throws {
        var configuration = try ledger.loadConfiguration()
        if let host { configuration.override("proxy.host", with: .string(host), flag: "--host") }
        if let port { configuration.override("proxy.port", with: .integer(Int64(port)), flag: "--port") }
        let settings = try MeteringProxy.Settings(configuration: configuration)
        let proxy = MeteringProxy(settings: settings, meter: try Meter(configuration: configuration))
        try await proxy.run { port in
            FileOutput.standardOutput.write("listening on http://\(settings.host):\(port)\n")
        }
    }
}
