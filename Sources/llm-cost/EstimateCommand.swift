import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost estimate`: what a prompt will cost before it is sent, as the meter sees it.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate what a prompt will cost before sending it: input, expected output, worst case.",
        discussion: """
            Input tokens are exact for models with a public tokenizer (rank files as for \
            `llm-cost tokens`), else the heuristic, corrected by the model's recorded calls in \
            the ledger. The expected output is the mean of the model's calls in the last 30 days \
            (or --expected-output). The worst case, input at the top of its band plus --max-tokens \
            (default, as the meter assumes: the adapter's own default where it sends one, as \
            Anthropic's 1024, else the model's max_output from the pricing table, else 4096), is \
            what a block budget reserves.
            """)


    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Model id as called (gpt-4o, claude-sonnet-4-5, ...).") var model: String
    @Option(help: "Provider the call would go through (default: the pricing table's for the model).") var provider: String?
    @Option(name: .customLong("max-tokens"), help: "The request's max_tokens (default: as the meter assumes, see below).") var maxTokens: Int?
    @Option(name: .customLong("expected-output"), help: "Output tokens to expect instead of the ledger's recent mean.") var expectedOutput: Int64?
    @Option(help: ArgumentHelp("A file holding the system prompt.", valueName: "file")) var system: String?
    @OptionGroup var formatOption: FormatOption<TextOrJSON>
    @Argument(help: "Files making up the prompt (one user message); '-' (the default) reads standard input.") var files: [String] = []

    func validate() throws {
        if let maxTokens, maxTokens <= 0 { throw ValidationError("--max-tokens: expected a positive number, got \(maxTokens)") }
        if let expectedOutput, expectedOutput < 0 { throw ValidationError("--expected-output: expected 0 or more, got \(expectedOutput)") }
    }

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let pricing = try loadConfiguredPricing(configuration)
        let provider = self.provider ?? pricing.table.model(provider: nil, model: model)?.provider ?? "unknown"
        let prompt = try (files.isEmpty ? ["-"] : files).map(Self.read).joined(separator: "\n")
        let request = ChatRequest.user(prompt, system: try system.map(Self.read), maxTokens: maxTokens)
        // The ledger only sharpens the estimate: without one, the tokenizer and heuristic still answer.
        let opened: Ledger?
        do {
            opened = try ledger.openLedger(configuration, for: .read)
        } catch let error as LedgerError where error.isMissing {
            opened = nil
        }
        let adapterMaxOutput = (try? CLIProviderRegistry.load(configuration).settings(named: provider))?.adapterDefaultMaxOutput
        let estimate = try CallEstimate.estimate(
            request, provider: provider, model: model, ledger: opened, pricing: pricing, expectedOutput: expectedOutput,
            adapterMaxOutput: adapterMaxOutput)
        FileOutput.standardOutput.write(formatOption.format == .json ? estimate.json() : estimate.text())
    }

    private static func read(_ path: String) throws -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure.runtime("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}
