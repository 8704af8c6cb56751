import Foundation

/// Turns one provider's server-sent events into `StreamEvent`s. Adapters implement it as a
/// pure state machine over decoded events, so it is testable without any network.
protocol WireStreamParser: Sendable {
    /// Reads one SSE event; returns the stream events it yields.
    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> [StreamEvent]
    /// The body ended: returns the last events, or throws when the reply was cut off.
    mutating func finish() throws(ProviderError) -> [StreamEvent]
}

extension WireStreamParser {
    /// The body ended: flushes the SSE decoder and finishes the parser. An event left without
    /// its blank line whose JSON does not parse was cut off mid-event: that is a broken
    /// connection (`.network`), not a server sending bad JSON.
    mutating func finishStream(_ decoder: inout SSEDecoder, provider: String, requestID: String?) throws(ProviderError) -> [StreamEvent] {
        var events: [StreamEvent] = []
        try finishStream(&decoder, provider: provider, requestID: requestID, into: &events)
        return events
    }

    /// Same, appending to `events`: what the last event said is kept when the parser then
    /// finds the reply cut off.
    mutating func finishStream(
        _ decoder: inout SSEDecoder, provider: String, requestID: String?, into events: inout [StreamEvent]
    ) throws(ProviderError) {
        for event in decoder.finish() {
            do {
                events += try consume(event)
            } catch where error.kind == .decoding {
                throw ProviderError.network(
                    provider: provider, requestID: requestID, message: "the stream ended in the middle of an event: the reply was cut off")
            }
        }
        events += try finish()
    }
}

/// What every HTTP-speaking adapter shares: transport, limits, retries, the raw log.
struct HTTPCallContext: Sendable {
    var provider: String
    var transport: any HTTPTransport
    var timeouts: Timeouts
    var retry: RetryPolicy
    var rawLog: RawLogHook?
    /// Values to scrub from logs (the API key, the bearer token).
    var secrets: [String]
    /// The response header that carries the provider's request id.
    var requestIDHeader: String

    /// Sends the request built by `build` (again on each retry: a token may be refreshed),
    /// decodes the SSE body with a fresh parser from `makeParser`, and streams the events.
    ///
    /// Retries happen only before the first event is yielded; once the consumer saw anything,
    /// a failure is thrown to it, never hidden behind a silent second call.
    ///
    /// With `canRefreshCredentials`, a 401 is retried once at once with `build(true)`, so an
    /// OAuth token provider can refresh an expired token.
    func eventStream<Parser: WireStreamParser>(
        canRefreshCredentials: Bool = false,
        build: @escaping @Sendable (_ refreshCredentials: Bool) async throws -> HTTPRequestSpec,
        makeParser: @escaping @Sendable (_ requestID: String?) -> Parser
    ) -> AsyncThrowingStream<StreamEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
        let producer = Task {
            var retriesDone = 0
            var refreshCredentials = false
            while true {
                var delivered = false
                do {
                    try await runOnce(build: { try await build(refreshCredentials) }, makeParser: makeParser) { event in
                        delivered = true
                        continuation.yield(event)
                    }
                    continuation.finish()
                    return
                } catch {
                    let failure = providerError(from: error)
                    if Task.isCancelled || failure.kind == .cancelled {
                        continuation.finish(throwing: ProviderError.cancelled(provider: provider, requestID: failure.requestID))
                        return
                    }
                    if failure.kind == .authentication, canRefreshCredentials, !refreshCredentials, !delivered {
                        refreshCredentials = true
                        continue
                    }
                    guard !delivered, let wait = self.retry.delay(beforeRetry: retriesDone, after: failure) else {
                        continuation.finish(throwing: failure)
                        return
                    }
                    retriesDone += 1
                    do { try await Task.sleep(for: wait) } catch {
                        continuation.finish(throwing: ProviderError.cancelled(provider: provider))
                        return
                    }
                }
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { producer.cancel() }
        }
        return stream
    }

    private func runOnce<Parser: WireStreamParser>(
        build: () async throws -> HTTPRequestSpec,
        makeParser: (_ requestID: String?) -> Parser,
        yield: (StreamEvent) -> Void
    ) async throws {
        try Task.checkCancellation()
        let request = try await build()
        let redactor = SecretRedactor(secrets: secrets)
        rawLog?(provider, .request(
            method: request.method, url: redactor.redact(request.url.absoluteString),
            headers: redactor.redact(headers: request.headers),
            body: redactor.redact(String(decoding: request.body, as: UTF8.self))))
        let response = try await transport.send(request, timeouts: timeouts)
        let requestID = response.head[header: requestIDHeader]
        rawLog?(provider, .response(status: response.head.status, headers: redactor.redact(headers: response.head.headers)))
        guard (200..<300).contains(response.head.status) else {
            let body = (try? await response.collectBody()) ?? Data()
            rawLog?(provider, .chunk(redactor.redact(String(decoding: body, as: UTF8.self))))
            throw httpError(head: response.head, body: body, requestID: requestID)
        }
        var parser = makeParser(requestID)
        var decoder = SSEDecoder()
        do {
            for try await chunk in response.body {
                if let rawLog { rawLog(provider, .chunk(redactor.redact(String(decoding: chunk, as: UTF8.self)))) }
                for event in decoder.decode(chunk) {
                    for output in try parser.consume(event) { yield(output) }
                }
            }
        } catch let error as ProviderError {
            throw error.withRequestID(requestID)
        } catch {
            throw providerError(from: error).withRequestID(requestID)
        }
        // A cancelled consumer ends the body loop quietly; do not mistake that for a cut-off reply.
        try Task.checkCancellation()
        // What the last event said (its usage) is yielded even when the parser then finds the reply cut off.
        var last: [StreamEvent] = []
        defer { for output in last { yield(output) } }
        try parser.finishStream(&decoder, provider: provider, requestID: requestID, into: &last)
    }

    /// Maps transport failures and anything else into the one error type.
    func providerError(from error: Error) -> ProviderError {
        switch error {
        case let error as ProviderError: return error
        case let error as TransportError:
            switch error {
            case .cancelled: return .cancelled(provider: provider)
            case .connection(let text): return .network(provider: provider, message: text)
            default: return .timeout(provider: provider, message: error.explanation)
            }
        case is CancellationError: return .cancelled(provider: provider)
        // A refresh the provider refused needs a person; a token endpoint that is down may recover.
        case let error as SignInError where error.needsSignIn:
            return .authentication(provider: provider, status: nil, requestID: nil, message: error.message)
        case let error as SignInError: return .network(provider: provider, message: error.message)
        default: return .network(provider: provider, message: String(describing: error))
        }
    }

    /// A failed HTTP reply as a typed error, keeping the provider's message.
    func httpError(head: HTTPResponseHead, body: Data, requestID: String?) -> ProviderError {
        let (type, message) = Self.errorDetails(from: body)
        let status = head.status
        var text = message ?? HTTPURLResponseStatusText.text(for: status)
        if status == 401, message == nil { text = "authentication failed: check the API key" }
        return .fromHTTPStatus(
            status, provider: provider, requestID: requestID, message: text, errorType: type,
            retryAfter: RetryPolicy.retryAfter(from: head))
    }

    /// The error type and message from the error body shapes in use: Anthropic's
    /// `{"type":"error","error":{"type":..,"message":..}}`, OpenAI's `{"error":{"message":..,"type":..}}`,
    /// Ollama's `{"error":"..."}`, and plain text.
    static func errorDetails(from body: Data) -> (type: String?, message: String?) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return (nil, text.isEmpty ? nil : text)
        }
        if let error = object["error"] as? [String: Any] {
            return (error["type"] as? String ?? error["code"] as? String, error["message"] as? String)
        }
        if let error = object["error"] as? String { return (nil, error) }
        return (object["type"] as? String, object["message"] as? String ?? object["detail"] as? String)
    }
}

/// Short reason phrases for statuses, for errors whose body says nothing.
enum HTTPURLResponseStatusText {
    static func text(for status: Int) -> String {
        switch status {
        case 400: return "bad request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not found (check the base URL and the model name)"
        case 429: return "rate limited"
        case 500: return "internal server error"
        case 502: return "bad gateway"
        case 503: return "service unavailable"
        case 504: return "gateway timeout"
        case 529: return "overloaded"
        default: return "HTTP \(status)"
        }
    }
}
