import Foundation
import LLMCostTestSupport
import LLMCostCore
@testable import LLMCostProviders
import LLMCostSimulator

/// The shared data folder beside the package (`../shared`).
let sharedDirectory = SharedFolder.url

/// The Anthropic transcripts, by file name.
func anthropicTranscripts() throws -> [(name: String, text: String)] {
    let folder = sharedDirectory.appendingPathComponent("wire/anthropic")
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { $0.hasSuffix(".txt") }.map {
        ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))
    }
}

/// Retries fast, so retry tests take milliseconds.
let fastRetry = RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20))
/// Small limits, so timeout tests take a fraction of a second.
let testTimeouts = Timeouts(connect: .seconds(2), firstByte: .seconds(3), idle: .milliseconds(300), total: .seconds(10))

/// A started simulator, stopped by the caller's `defer`.
func startSimulator(requiredAPIKey: String? = nil) throws -> ProviderSimulator {
    let simulator = ProviderSimulator(requiredAPIKey: requiredAPIKey)
    try simulator.start()
    return simulator
}

func anthropic(_ simulator: ProviderSimulator, retry: RetryPolicy = fastRetry, rawLog: RawLogHook? = nil,
               key: String = "sk-ant-test-key-0123456789") -> AnthropicProvider {
    AnthropicProvider(
        model: "claude-sim", baseURL: simulator.baseURL, credentials: .apiKey(key), timeouts: testTimeouts,
        retry: retry, rawLog: rawLog)
}

func openAIChat(_ simulator: ProviderSimulator, retry: RetryPolicy = fastRetry) -> OpenAIChatProvider {
    OpenAIChatProvider(
        name: "openai", model: "gpt-sim",
        endpoint: OpenAIChatProvider.chatCompletionsURL(base: simulator.baseURL.appendingPathComponent("v1")),
        auth: .bearer, apiKey: "sk-openai-test-key-0123456789", maxTokensField: "max_completion_tokens",
        timeouts: testTimeouts, retry: retry)
}

func responses(_ simulator: ProviderSimulator) -> OpenAIResponsesProvider {
    OpenAIResponsesProvider(
        model: "gpt-sim", baseURL: simulator.baseURL.appendingPathComponent("v1"), apiKey: "sk-openai-test-key-0123456789",
        timeouts: testTimeouts, retry: fastRetry)
}

/// Runs a stream to its end: the events, and the error it ended with, if any.
func collect(_ stream: AsyncThrowingStream<StreamEvent, Error>) async -> (events: [StreamEvent], error: ProviderError?) {
    var events: [StreamEvent] = []
    do {
        for try await event in stream { events.append(event) }
        return (events, nil)
    } catch let error as ProviderError {
        return (events, error)
    } catch {
        return (events, ProviderError.network(provider: "test", message: "unexpected error type: \(error)"))
    }
}

/// Decodes and parses SSE text with a parser, feeding the bytes in pieces of `chunkSize`.
func parseOffline<Parser: WireStreamParser>(_ text: String, parser: Parser, chunkSize: Int = .max) throws -> [StreamEvent] {
    var parser = parser
    var decoder = SSEDecoder()
    var events: [StreamEvent] = []
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunkSize)
        for event in decoder.decode(bytes[offset..<end]) { events += try parser.consume(event) }
        offset = end
    }
    events += try parser.finishStream(&decoder, provider: "test", requestID: nil)
    return events
}

func accumulate(_ events: [StreamEvent]) -> ResponseAccumulator {
    var accumulator = ResponseAccumulator()
    for event in events { accumulator.apply(event) }
    return accumulator
}
