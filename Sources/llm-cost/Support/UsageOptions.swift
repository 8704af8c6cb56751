import ArgumentParser
import LLMCost
import LLMCostCommandLine

/// Token counts of one call in the ledger's (Anthropic's) shape, shared by `record` and `cost`.
struct UsageOptions: ParsableArguments {
    @Option(help: "Uncached input tokens.") var input: Int64 = 0
    @Option(help: "Output tokens, reasoning included.") var output: Int64 = 0
    @Option(name: .customLong("cache-read"), help: "Input tokens read from the prompt cache.") var cacheRead: Int64 = 0
    @Option(name: .customLong("cache-write-5m"), help: "Input tokens written to the 5-minute cache.") var cacheWrite5m: Int64 = 0
    @Option(name: .customLong("cache-write-1h"), help: "Input tokens written to the 1-hour cache.") var cacheWrite1h: Int64 = 0
    @Option(help: "Reasoning tokens (a part of --output).") var reasoning: Int64 = 0
    @Option(name: .customLong("web-search"), help: "Server-side web search requests.") var webSearch: Int64 = 0
    @Option(name: .customLong("web-fetch"), help: "Server-side web fetch requests.") var webFetch: Int64 = 0

    /// The counts as a `Usage`, checked for consistency (reasoning within output, no negatives).
    func usage() throws -> Usage {
        let usage = Usage(
            inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead, cacheWrite5mTokens: cacheWrite5m,
            cacheWrite1hTokens: cacheWrite1h, reasoningTokens: reasoning, webSearchRequests: webSearch,
            webFetchRequests: webFetch)
        if let problem = usage.inconsistency { throw CommandFailure.usage(problem) }
        return usage
    }
}
