import Foundation
import LLMCostCore
import LLMCostSimulator
import Testing
@testable import LLMCostProviders

/// Retries, typed errors, broken streams and timeouts, over real loopback HTTP.
@Suite struct FailureTests {
    @Test func rateLimitWithRetryAfterThenSuccess() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(.httpError(status: 429, retryAfter: 1), .text(["fine"]))
        let started = ContinuousClock.now
        let response = try await anthropic(simulator).complete(.user("hi"))
        #expect(response.text == "fine")
        #expect(simulator.requests.count == 2)
        // The fast policy would wait milliseconds; only honouring Retry-After explains a second.
        #expect(ContinuousClock.now - started >= .milliseconds(950))
    }

    @Test func serverErrorThreeTimesFailsAfterThreeAttempts() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(.httpError(status: 500), .httpError(status: 500), .httpError(status: 500), .text(["too late"]))
        let (events, error) = await collect(openAIChat(simulator).stream(.user("hi")))
        #expect(events.isEmpty)
        #expect(error?.kind == .server)
        #expect(error?.httpStatus == 500)
        #expect(error?.requestID == "req_sim_000003")
        #expect(error?.message == "simulated error")
        #expect(simulator.requests.count == 3)
    }

    @Test func serverErrorTwiceThenSuccess() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(.httpError(status: 503), .httpError(status: 529), .text(["third time"]))
        let response = try await anthropic(simulator).complete(.user("hi"))
        #expect(response.text == "third time")
        #expect(simulator.requests.count == 3)
    }

    @Test func unauthorizedFailsAtOnceWithoutLeakingTheKey() async throws {
        let simulator = try startSimulator(requiredAPIKey: "the-right-key-123456")
        defer { simulator.stop() }
        let logged = LockedLog()
        let key = "sk-ant-wrong-key-987654321"
        let provider = anthropic(simulator, rawLog: { _, entry in logged.append(entry) }, key: key)
        let (_, error) = await collect(provider.stream(.user("hi")))
        #expect(error?.kind == .authentication)
        #expect(error?.isRetryable == false)
        #expect(error?.httpStatus == 401)
        #expect(simulator.requests.count == 1)
        #expect(!String(describing: error).contains(key))
        #expect(!logged.text.isEmpty)
        #expect(!logged.text.contains(key))
        #expect(logged.text.contains("[redacted]"))
    }

    @Test func otherClientErrorsFailAtOnce() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(.httpError(status: 400, message: "max_tokens: too large"), .text(["never"]))
        let (_, error) = await collect(anthropic(simulator).stream(.user("hi")))
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message == "max_tokens: too large")
        #expect(simulator.requests.count == 1)
    }

    @Test func streamCutOffMidMessageIsANetworkErrorAndNotRetried() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["a", "b", "c", "d"])), cutAfterEvents: 4))
        let (events, error) = await collect(anthropic(simulator).stream(.user("hi")))
        #expect(error?.kind == .network)
        #expect(error?.requestID == "req_sim_000001")
        #expect(events.contains(.textDelta("a")))
        // The consumer saw content, so there is no silent second call.
        #expect(simulator.requests.count == 1)
        // The usage seen before the cut stays known.
        #expect(accumulate(events).lastUsage == Usage(inputTokens: 10, outputTokens: 1))
    }

    /// The last event, left without its blank line, is decoded at the end of the body: its
    /// usage was lost when the parser then found the reply cut off (no `message_stop`).
    @Test func theLastEventsUsageSurvivesACutOff() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(.rawEventStream("""
            event: message_start
            data: {"type":"message_start","message":{"id":"m","model":"claude","usage":{"input_tokens":5,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}
            """)))
        let (events, error) = await collect(anthropic(simulator).stream(.user("hi")))
        #expect(error?.kind == .network)
        #expect(accumulate(events).lastUsage == Usage(inputTokens: 5, outputTokens: 7))
    }

    @Test func openAIStreamCutOffBeforeUsage() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["a", "b"])), cutAfterEvents: 2))
        let (events, error) = await collect(openAIChat(simulator).stream(.user("hi")))
        #expect(error?.kind == .network)
        #expect(accumulate(events).lastUsage == nil)
    }

    @Test func slowStreamHitsTheIdleTimeout() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["a", "b"])), stallAfterEvents: 2, stallDuration: .seconds(2)))
        let (events, error) = await collect(anthropic(simulator, retry: .none).stream(.user("hi")))
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("idle") == true)
        #expect(events.first.map { if case .started = $0 { return true } else { return false } } == true)
    }

    @Test func aSilentServerHitsTheFirstByteTimeout() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["late"])), firstByteDelay: .seconds(2)))
        let provider = AnthropicProvider(
            model: "m", baseURL: simulator.baseURL, credentials: .apiKey("k"),
            timeouts: Timeouts(connect: .milliseconds(100), firstByte: .milliseconds(200), idle: .seconds(5), total: .seconds(10)),
            retry: .none)
        let (events, error) = await collect(provider.stream(.user("hi")))
        #expect(events.isEmpty)
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("first-byte") == true)
    }

    @Test func aSteadyButEndlessStreamHitsTheTotalTimeout() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(
            .completion(SimulatedCompletion(textChunks: Array(repeating: "x", count: 40))), eventDelay: .milliseconds(50)))
        let provider = AnthropicProvider(
            model: "m", baseURL: simulator.baseURL, credentials: .apiKey("k"),
            timeouts: Timeouts(connect: .seconds(1), firstByte: .seconds(1), idle: .seconds(1), total: .milliseconds(400)),
            retry: .none)
        let (events, error) = await collect(provider.stream(.user("hi")))
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("total") == true)
        #expect(events.contains(.textDelta("x")))
    }

    @Test func malformedJSONInAnEventIsADecodingError() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
                // Event 3 is the first text delta (0: message_start, 1: content_block_start, 2: ping).
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["a", "b"])), malformedEventIndex: 3))
        let (_, error) = await collect(anthropic(simulator).stream(.user("hi")))
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("malformed JSON") == true)
        #expect(error?.isRetryable == false)
    }

    @Test func connectionRefusedIsANetworkError() async throws {
        let simulator = try startSimulator()
        let port = simulator.port
        simulator.stop()
        let provider = AnthropicProvider(
            model: "m", baseURL: URL(string: "http://127.0.0.1:\(port)")!, credentials: .apiKey("k"),
            timeouts: testTimeouts, retry: .none)
        let (_, error) = await collect(provider.stream(.user("hi")))
        #expect(error?.kind == .network)
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        // Four seconds of events: room for a loaded machine to act on the cancellation.
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: Array(repeating: "x", count: 200))), eventDelay: .milliseconds(20)))
        let provider = anthropic(simulator)
        let stream = provider.stream(.user("hi"))
        let task = Task {
            var events: [StreamEvent] = []
            do {
                for try await event in stream {
                    events.append(event)
                    if events.count == 5 { withUnsafeCurrentTask { $0?.cancel() } }
                }
            } catch let error as ProviderError {
                // Depending on who sees the cancellation first, the stream ends quietly or with this.
                #expect(error.kind == .cancelled)
            }
            return events
        }
        let events = try await task.value
        #expect(events.count < 200)
        #expect(!events.contains { if case .finished = $0 { return true } else { return false } })
        // The server notices the closed connection on its next write (within one 20 ms event).
        for _ in 0..<200 where simulator.outcomes.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(simulator.outcomes == [.clientGone])
    }

    @Test func completeThrowsCancelledWhenCancelled() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["x"])), firstByteDelay: .seconds(2)))
        let provider = anthropic(simulator)
        let task = Task { try await provider.complete(.user("hi")) }
        for _ in 0..<200 where simulator.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        let error = await #expect(throws: ProviderError.self) { try await task.value }
        #expect(error?.kind == .cancelled)
    }

    @Test func oauthTokenIsRefreshedOnceAfterA401() async throws {
        let simulator = try startSimulator(requiredAPIKey: "fresh-token-123456")
        defer { simulator.stop() }
        let refreshes = LockedLog()
        let tokens = BearerTokenProvider { forceRefresh in
            refreshes.append(.chunk(forceRefresh ? "refresh" : "cached"))
            return forceRefresh ? "fresh-token-123456" : "stale-token-123456"
        }
        let provider = AnthropicProvider(
            model: "claude-sim", baseURL: simulator.baseURL, credentials: .oauth(tokens), timeouts: testTimeouts, retry: fastRetry)
        let response = try await provider.complete(.user("hello"))
        #expect(response.text.hasPrefix("Simulated reply to: hello"))
        #expect(refreshes.text == "cached|refresh")
        #expect(simulator.requests.last?.headers["authorization"] == "Bearer fresh-token-123456")
    }

    @Test func retryDelaysFollowThePolicy() {
        let policy = RetryPolicy(maxRetries: 5, baseDelay: .seconds(1), maxDelay: .seconds(10))
        let error = ProviderError.server(provider: "p", status: 500, requestID: nil, message: "")
        #expect(policy.delay(beforeRetry: 0, after: error, jitter: 0) == .seconds(1))
        #expect(policy.delay(beforeRetry: 2, after: error, jitter: 0.5) == .milliseconds(4500))
        #expect(policy.delay(beforeRetry: 4, after: error, jitter: 0) == .seconds(10))
        #expect(policy.delay(beforeRetry: 5, after: error, jitter: 0) == nil)
        let limited = ProviderError.rateLimited(provider: "p", status: 429, requestID: nil, message: "", retryAfter: .seconds(3))
        #expect(policy.delay(beforeRetry: 0, after: limited, jitter: 0) == .seconds(3))
        let tooLong = ProviderError.rateLimited(provider: "p", status: 429, requestID: nil, message: "", retryAfter: .seconds(3600))
        #expect(policy.delay(beforeRetry: 0, after: tooLong, jitter: 0) == nil)
        let auth = ProviderError.authentication(provider: "p", status: 401, requestID: nil, message: "")
        #expect(policy.delay(beforeRetry: 0, after: auth, jitter: 0) == nil)
    }
}

/// A thread-safe list of raw log entries, flattened to text.
final class LockedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    func append(_ entry: RawLogEntry) {
        let text: String
        switch entry {
        case .request(let method, let url, let headers, let body):
            text = "\(method) \(url) \(headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")) \(body)"
        case .response(let status, let headers): text = "\(status) \(headers)"
        case .chunk(let chunk): text = chunk
        }
        lock.lock()
        entries.append(text)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return entries.joined(separator: "|")
    }
}
