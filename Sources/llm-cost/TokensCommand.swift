import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost tokens`: count (or list) tokens of files or standard input, exactly for OpenAI
/// encodings, as a flagged estimate for models without a public tokenizer.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Count tokens in files or standard input.",
        discussion: """
            Prints COUNT<TAB>PATH per input and COUNT<TAB>total. Rank files are found in \
            $LLM_COST_TOKENIZERS, $TIKTOKEN_CACHE_DIR, then $XDG_CACHE_HOME/llm-cost/tokenizers; \
            set LLM_COST_ALLOW_DOWNLOAD=1 to fetch them. Without them, counts are estimates.
            """)

    @Option(help: "Encoding: cl100k_base, o200k_base, p50k_base or o200k_harmony (default o200k_base).")
    var encoding: String?

    @Option(help: "Model whose tokenizer to use (gpt-4o, claude-sonnet-4-5, ...).")
    var model: String?

    @Flag(help: "Print token ids instead of counts (exact encodings only).")
    var ids = false

    @OptionGroup var formatOption: FormatOption<TextOrJSON>

    @Argument(help: "Files to count; '-' (the default) reads standard input.")
    var files: [String] = []

    func run() throws {
        if encoding != nil && model != nil { throw CommandFailure.usage("give --encoding or --model, not both") }
        let counter: TokenCounter
        if let model {
            counter = TokenCounter.forModel(model)
        } else {
            guard let name = EncodingName(rawValue: encoding ?? "o200k_base") else {
                throw CommandFailure.usage("--encoding: unknown encoding '\(encoding ?? "")'; expected one of: \(EncodingName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            counter = TokenCounter.forEncoding(name)
        }
        if ids && counter.encoding == nil {
            let message = counter.note ?? "--ids needs an exact encoding; \(model ?? "this model") has no public tokenizer"
            // No tokenizer file is a runtime problem; a model without a public tokenizer is not.
            throw model != nil && counter.note == nil ? CommandFailure.usage(message) : CommandFailure.runtime(message)
        }
        let report = try TokenCountReport.make(paths: files.isEmpty ? ["-"] : files, counter: counter, includeIds: ids)
        if let warning = report.estimateWarning { FileOutput.standardError.write(warning + "\n") }
        FileOutput.standardOutput.write(formatOption.format == .json ? report.json() : report.text(ids: ids))
    }
}
