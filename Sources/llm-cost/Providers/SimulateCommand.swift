import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostSimulator

/// `llm-cost simulate`: the provider simulator as a standalone server, for demos and for
/// tests that run several processes against one endpoint.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a local server that speaks the Anthropic and OpenAI wire formats (deterministic replies).",
        discussion: """
            Point a provider at it, e.g. ANTHROPIC_BASE_URL=http://127.0.0.1:PORT or
            OPENAI_BASE_URL=http://127.0.0.1:PORT/v1. Choose a misbehaviour with the model
            `sim-SCENARIO` or the header `x-simulator-scenario`; scenarios: \(SimulatorBehavior.scenarios.joined(separator: ", ")).
            """)

    @Option(help: "The port (0 picks a free one).") var port: UInt16 = 8089
    @Option(help: "The IPv4 address to listen on.") var host = "127.0.0.1"
    @Option(help: "Answer 401 unless requests present this key.") var requireKey: String?
    @Flag(help: "Serve an OAuth authorization server beside the providers (client id llm-cost-sim-client, /oauth/authorize, /oauth/token; OpenRouter's /auth): provider calls then need its tokens.")
    var oauth = false
    @Flag(help: "Serve further requests on a connection after a complete reply (default: one request per connection).")
    var keepAlive = false

    func run() async throws {
        let simulator = ProviderSimulator(
            requiredAPIKey: requireKey, keepsConnectionsAlive: keepAlive, authorization: oauth ? SimulatedAuthorization() : nil)
        let actual: UInt16
        do {
            actual = try simulator.start(host: host, port: port)
        } catch {
            throw CommandFailure.runtime("cannot listen on \(host):\(port): \(error)")
        }
        // Written unbuffered: scripts wait for this line to know the port.
        FileOutput.standardOutput.write("""
            llm-cost simulator listening on http://\(host):\(actual)
              Anthropic: POST /v1/messages   OpenAI: POST /v1/chat/completions, POST /v1/responses

            """)
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
