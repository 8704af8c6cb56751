import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost prompt`: one request, the reply on stdout, a usage summary on stderr.
struct PromptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt", abstract: "Send one prompt to a provider and print the reply and its usage.")

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "The provider name (see `llm-cost providers list`).") var provider: String
    @Option(help: "The model (default: the provider's).") var model: String?
    @Option(help: "Attribute the call to this agent.") var agent: String?
    @Option(help: "Attribute the call to this session.") var session: String?
    @Option(help: "The system prompt.") var system: String?
    @Option(help: "The output token limit.") var maxTokens: Int?
    @Flag(help: "Print the reply as it arrives.") var stream = false
    @OptionGroup var formatOption: FormatOption<TextOrJSON>
    @Argument(help: "The prompt.") var text: String

    func validate() throws {
        if let maxTokens, maxTokens <= 0 { throw ValidationError("--max-tokens must be positive, got \(maxTokens)") }
    }

    func run() async throws {
        let configuration = try ledger.loadConfiguration()
        let registry = try CLIProviderRegistry.load(configuration)
        let pricing = try loadPricing(configuration)
        guard registry.allSettings.contains(where: { $0.name == provider }) else {
            throw CommandFailure.usage("no provider named `\(provider)` (configured: \(registry.allSettings.map(\.name).joined(separator: ", ")))")
        }
        let meter = try Meter(configuration: configuration)
        // The named provider, wrapped in the meter: the runner's call is estimated, checked
        // against budgets and recorded by it.
        var meteredRegistry = registry
        let metered = try registry.meteredProvider(named: provider, meter: meter)
        meteredRegistry.register(type: "llm-cost-metered") { _, _ in metered }
        try meteredRegistry.add(ProviderSettings(name: provider, type: "llm-cost-metered"))
        let options = PromptRunner.Options(
            provider: provider, model: model, system: system, maxTokens: maxTokens, text: text,
            context: MeteringContext(agent: agent, session: session))
        let streaming = stream && formatOption.format == .text
        do {
            let outcome = try await MeteringContext.$current.withValue(options.context) {
                try await PromptRunner(registry: meteredRegistry, pricing: pricing).run(options) { delta in
                    if streaming { FileOutput.standardOutput.write(delta) }
                }
            }
            switch formatOption.format {
            case .json: FileOutput.standardOutput.line(outcome.json)
            case .text: FileOutput.standardOutput.line(streaming ? "" : outcome.response.text)
            }
            FileOutput.standardError.line(outcome.summaryLine)
            await meter.waitForPendingAlerts() // alerts go out in the background: not lost at exit
        } catch {
            if streaming { FileOutput.standardOutput.write("\n") }
            await meter.waitForPendingAlerts()
            throw CommandFailure(error)
        }
    }
}
