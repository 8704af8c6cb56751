import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LLMCost
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `llm-cost proxy`: an HTTP server that relays provider API calls to their upstreams, byte
/// for byte, and meters the calls it knows (`ProxyRoute`) with the same admission as the
/// library: estimated, attributed, held by `block` budgets (refused with HTTP 429 in the
/// provider's error shape before anything is sent), recorded with the usage read from a copy
/// of the response as it streams through.
public struct MeteringProxy: Sendable {
    /// Where to listen and where to relay.
    public struct Settings: Sendable {
        public var host: String
        /// 0: a free port (the bound one is passed to `onListening`).
        public var port: Int
        /// Upstream base URLs by provider name (`anthropic`, `openai`, configured names);
        /// `anthropic` and `openai` default to the official endpoints.
        public var upstreams: [String: String]
        /// Configured providers by name and type, for `/p/NAME/...` routes.
        public var providerTypes: [String: String]
        /// How long an upstream may take to connect, and to send each next part of its response.
        public var connectTimeout: Duration
        public var readTimeout: Duration
        /// The largest request body relayed.
        public var maxRequestBytes: Int
        /// On SIGTERM or SIGINT: how long calls in flight may go on before they are cut (and
        /// recorded as cancelled with the usage seen).
        public var shutdownGrace: Duration
        /// Billed calls the proxy cannot meter: refused or relayed.
        public var unmetered: UnmeteredPolicy
        /// Access tokens, held upstream keys, agents by client key.
        public var access: ProxyAccess

        public init(
            host: String = "127.0.0.1", port: Int = 8787, upstreams: [String: String] = [:],
            providerTypes: [String: String] = [:], connectTimeout: Duration = .seconds(10),
            readTimeout: Duration = .seconds(600), maxRequestBytes: Int = 64 << 20, shutdownGrace: Duration = .seconds(10),
            unmetered: UnmeteredPolicy = .refuseUnderBlock, access: ProxyAccess = ProxyAccess()
        ) {
            self.host = host
            self.port = port
            self.upstreams = upstreams
            self.providerTypes = providerTypes
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.maxRequestBytes = maxRequestBytes
            self.shutdownGrace = shutdownGrace
            self.unmetered = unmetered
            self.access = access
        }

        /// The official endpoints, where the configuration names none.
        public static let officialUpstreams = ["anthropic": "https://api.anthropic.com", "openai": "https://api.openai.com/v1"]
    }

    public let settings: Settings
    public let meter: Meter

    public init(settings: Settings, meter: Meter) {
        self.settings = settings
        self.meter = meter
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting and gives the calls in flight
    /// `shutdownGrace` to finish; calls `onListening` with the bound port once accepting.
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(settings.connectTimeout), read: TimeAmount(settings.readTimeout)))
        clientConfiguration.decompression = .disabled
        // Streams hold their connection for minutes: the default 8 per host would queue the rest.
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1024
        // An upstream that refuses connections is a 502 now (the clients' SDKs retry those),
        // not after the connect timeout's worth of attempts.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // One event loop for every upstream connection: each call finds its kept-alive connection
        // on the loop it runs on (measured: 120-150 µs less per call at p50 than the shared
        // two-loop group, the same throughput).
        let upstreamLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = HTTPClient(eventLoopGroup: upstreamLoop, configuration: clientConfiguration)
        let metrics = ProxyMetrics()
        let relay = Relay(settings: settings, meter: meter, client: client, metrics: metrics, contexts: StoredContexts())
        let router = Router(context: ProxyRequestContext.self)
        router.get("/healthz") { _, _ in "ok\n" }
        let meter = self.meter
        let access = settings.access
        router.get("/metrics") { request, _ in
            if access.requiresToken,
                case .refused(let message) = access.admit(provider: nil, headers: request.headers.map { ($0.name.canonicalName, $0.value) })
            {
                return ProviderErrorBody.response(
                    status: .unauthorized, shape: .openAI, type: "authentication_error", code: "invalid_proxy_token", message: message)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition(meter: meter))))
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/**", method: method) { request, context in try await relay.handle(request, context: context) }
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: Self.logger)
        var group = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
            logger: Self.logger)
        group.maximumGracefulShutdownDuration = settings.shutdownGrace
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            try? await client.shutdown()
            try? await upstreamLoop.shutdownGracefully()
            throw error
        }
        try await client.shutdown()
        try await upstreamLoop.shutdownGracefully()
    }
}

extension MeteringProxy {
    /// The server's own log: warnings and errors on standard error (standard output carries
    /// `listening on ...` first, for scripts), never a request's headers or body.
    static let logger: Logger = {
        var logger = Logger(label: "llm-cost.proxy") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }()
}

/// The request context: a larger upload limit than Hummingbird's default (prompts with images).
struct ProxyRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    init(source: Source) { coreContext = .init(source: source) }
    var maxUploadSize: Int { 64 << 20 }
}


/// One relayed request at a time: routing, admission, forwarding, metering.
struct Relay: Sendable {
    let settings: MeteringProxy.Settings
    let meter: Meter
    let client: HTTPClient
    let metrics: ProxyMetrics
    let contexts: StoredContexts

    /// Hop-by-hop headers (RFC 9110 7.6.1) and those the relay sets itself.
    static let droppedRequestHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
        "content-length", "accept-encoding",
    ]
    static let droppedResponseHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length",
    ]

    /// Provider types whose request ids are unique (ids of local servers can repeat, Ollama's
    /// `chatcmpl-123`): only theirs are kept, since the ledger treats a repeated id as the same call.
    static let typesWithUniqueRequestIDs: Set<String> = ["anthropic", "openai", "openai-responses", "azure", "openrouter"]

    func handle(_ request: Request, context: ProxyRequestContext) async throws -> Response {
        var request = request
        let (pathAttribution, rawPath) = ProxyAttribution.splitPath(request.uri.path)
        // Routed and metered as the upstream will read it: `/v1/%63hat/completions` is chat.
        guard let path = ProxyPath.normalize(rawPath) else {
            return ProviderErrorBody.response(
                status: .badRequest, shape: .openAI, type: "invalid_request_error", code: "invalid_path",
                message: "llm-cost proxy: the path \(rawPath) escapes a /, \\, ?, # or %, climbs above the root, or has control characters")
        }
        guard let route = ProxyRoute.resolve(path: path, providerTypes: settings.providerTypes) else {
            return ProviderErrorBody.response(
                status: .notFound, shape: .openAI, type: "not_found_error", code: "unknown_route",
                message: "llm-cost proxy: no route for \(path) (Anthropic at /v1/messages, OpenAI at /v1/..., a configured provider at /p/NAME/...)")
        }
        let providerType = settings.providerTypes[route.provider] ?? route.provider
        // Reads, deletions and the like are never billed.
        let billing: ProxyRoute.Billing = [.get, .head, .delete, .options].contains(request.method) ? .free : route.billing
        let shape: ProviderErrorBody.Shape = switch route.metered {
        case .anthropicMessages?: .anthropic
        case .openAIChat?, .openAIResponses?: .openAI
        case nil: providerType == "anthropic" ? .anthropic : .openAI
        }
        guard let base = settings.upstreams[route.provider] ?? MeteringProxy.Settings.officialUpstreams[route.provider] else {
            return ProviderErrorBody.response(
                status: .badGateway, shape: shape, type: "api_error", code: "no_upstream",
                message: "llm-cost proxy: provider \(route.provider) has no base_url")
        }
        let clientHeaders = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let admission = settings.access.admit(provider: route.provider, headers: clientHeaders)
        guard case .admitted(let keyAgent) = admission else {
            let message = if case .refused(let message) = admission { message } else { "" }
            return ProviderErrorBody.response(
                status: .unauthorized, shape: shape, type: "authentication_error", code: "invalid_proxy_token", message: message)
        }
        let heldKey = settings.access.heldKeys[route.provider]
        let body: ByteBuffer
        do {
            // Kept on the request (`collectBody`), so its connection can still be watched for
            // the client hanging up (`consumeWithCancellationOnInboundClose`).
            body = try await request.collectBody(upTo: settings.maxRequestBytes)
        } catch {
            return ProviderErrorBody.response(
                status: .contentTooLarge, shape: shape, type: "invalid_request_error", code: "request_too_large",
                message: "llm-cost proxy: request body over \(settings.maxRequestBytes) bytes")
        }
        let bodyBytes = Array(body.readableBytesView)
        // Hop-by-hop: the fixed ones, and those the client's `Connection` names; the client's
        // credentials where the proxy sends its own.
        var dropped = Self.droppedRequestHeaders
        for (name, value) in clientHeaders where name == "connection" { dropped.formUnion(Self.connectionOptions(value)) }
        if heldKey != nil { dropped.formUnion(ProxyAccess.credentialHeaders) }
        var upstream = HTTPClientRequest(
            url: ProxyRoute.upstreamURL(base: base, path: ProxyPath.escaped(route.upstreamPath), query: request.uri.query))
        upstream.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers {
            let name = field.name.canonicalName
            if dropped.contains(name) || ProxyAttribution.isOwnHeader(name) { continue }
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        if let heldKey { upstream.headers.add(name: heldKey.headerName, value: heldKey.headerValue) }
        // Usage must be readable: no compressed responses.
        upstream.headers.add(name: "accept-encoding", value: "identity")
        upstream.body = .bytes(body)
        // Headers say more precisely than the base URL: they win. An agent the client's token
        // or key stands for wins over both: a caller cannot name itself out of its budget.
        var attribution = pathAttribution.merged(with: ProxyAttribution.context(headers: clientHeaders))
        if let keyAgent { attribution.agent = keyAgent }

        // Metered: admission before anything is sent.
        var call: MeteredCall?
        var metered: (wire: WireProtocol, request: MeteredRequest)?
        var removesUsageChunk = false
        switch billing {
        case .free:
            break
        case .unmetered:
            if let refused = refusingUnmetered(route: route, body: bodyBytes, attribution: attribution, shape: shape, method: request.method) {
                return refused
            }
        case .metered(let wire):
            // What the meter cannot read is not sent: a budget must not be bypassed by a body
            // only the upstream would make sense of (the providers reject such bodies anyway).
            guard let summary = MeteredRequest(body: bodyBytes, protocol: wire, pathModel: route.pathModel) else {
                return ProviderErrorBody.response(
                    status: .badRequest, shape: shape, type: "invalid_request_error", code: "unreadable_request",
                    message: "llm-cost proxy: the request body is not a JSON object with a \"model\"")
            }
            if summary.runsInBackground {
                if let refused = refusingUnmetered(route: route, body: bodyBytes, attribution: attribution, shape: shape, method: request.method) {
                    return refused
                }
                break
            }
            metered = (wire, summary)
            // Servers that do not know `stream_options` reject it: only where the adapters send it.
            if wire == .openAIChat, providerType != "openai-compatible",
                let rewritten = StreamUsageRequest.addingIncludeUsage(to: bodyBytes, request: summary)
            {
                upstream.body = .bytes(ByteBuffer(bytes: rewritten))
                removesUsageChunk = true
            }
            do {
                call = try await meter.beginCall(
                    provider: route.provider, model: summary.model, input: summary.meterInput,
                    attribution: attribution, choices: summary.choices,
                    storedInput: summary.continuesStoredState ? summary.previousResponseID.flatMap(contexts.tokens(for:)) ?? 0 : nil)
            } catch let refusal as MeteringError {
                metrics.recordRefusal(provider: route.provider, model: summary.model, agent: attribution.agent)
                return ProviderErrorBody.refusal(refusal, shape: shape)
            } catch {
                return ProviderErrorBody.response(
                    status: .serviceUnavailable, shape: shape, type: "api_error", code: "ledger_unavailable",
                    message: "llm-cost proxy: the ledger could not reserve for this call: \(error)")
            }
        }
        let started = ContinuousClock.now

        let response: HTTPClientResponse
        do {
            response = try await client.execute(upstream, deadline: .now() + TimeAmount(settings.readTimeout))
        } catch {
            // Cut by shutdown or a client gone while the upstream worked: cancelled, not failed.
            let cancelled = error is CancellationError || (error as? HTTPClientError) == .cancelled || Task.isCancelled
            if let recorded = await call?.finish(status: cancelled ? .cancelled : .error, usage: nil) { metrics.record(recorded) }
            let timedOut = (error as? HTTPClientError) == .deadlineExceeded || (error as? HTTPClientError) == .readTimeout
                || (error as? HTTPClientError) == .connectTimeout
            return ProviderErrorBody.response(
                status: timedOut ? .gatewayTimeout : .badGateway, shape: shape, type: timedOut ? "timeout_error" : "api_error",
                code: timedOut ? "upstream_timeout" : "upstream_unreachable",
                message: "llm-cost proxy: upstream \(route.provider) \(timedOut ? "timed out" : "unreachable"): \(error)")
        }

        var headers = HTTPFields()
        var upstreamRequestID: String?
        var streaming = false
        var droppedResponse = Self.droppedResponseHeaders
        for value in response.headers["connection"] { droppedResponse.formUnion(Self.connectionOptions(value)) }
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if droppedResponse.contains(lower) { continue }
            if lower == "request-id" || lower == "x-request-id" { upstreamRequestID = upstreamRequestID ?? value }
            if lower == "content-type" && value.lowercased().hasPrefix("text/event-stream") { streaming = true }
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        let upstreamBody = response.body
        // A whole body passes unchanged: its length goes on too, so the client has its answer
        // with the last byte, not after the end of a chunked body (which waits for the record).
        let wholeLength = streaming ? nil : response.headers.first(name: "content-length").flatMap { Int($0) }
        guard let call, let metered else {
            if let wholeLength { headers[.contentLength] = String(wholeLength) }
            return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: upstreamBody))
        }
        let isStream = streaming
        let relayed = RelayedResponse(
            call: call, metrics: metrics, tap: UsageTap(protocol: metered.wire, provider: route.provider, streaming: isStream),
            started: started, succeeded: (200..<300).contains(Int(response.status.code)),
            trustsRequestIDs: Self.typesWithUniqueRequestIDs.contains(providerType), upstreamRequestID: upstreamRequestID,
            contexts: metered.wire == .openAIResponses ? contexts : nil, wholeBody: isStream ? nil : upstreamBody)
        let collected = request
        let removesChunk = removesUsageChunk && isStream
        if isStream { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: wholeLength) { writer in
            var ending: RelayedResponse.Ending = .complete
            var upstreamError: (any Error)?
            do {
                if isStream {
                    // A client that hangs up mid-stream cancels the relay, and with it the
                    // upstream request. Watching for that reads the connection past this request,
                    // so it is not reused afterwards: the response says `connection: close`.
                    try await collected.body.consumeWithCancellationOnInboundClose { body in
                        for try await _ in body {}  // the body collected above, handed back once
                        try await relayed.relay(upstreamBody, to: &writer, removingUsageChunk: removesChunk)
                        // Recorded here, the moment the upstream ended: leaving this closure waits
                        // for the watch on the client's connection to stop.
                        await relayed.record(.complete)
                    }
                } else {
                    try await relayed.relayWhole(upstreamBody, to: &writer)
                }
            } catch is CancellationError {
                ending = .clientGone
            } catch is RelayedResponse.ClientGone {
                ending = .clientGone
            } catch {
                ending = .upstreamFailed
                upstreamError = error
            }
            await relayed.record(ending)
            // An upstream cut mid-body: rethrown, so the server closes the connection and the
            // client sees the cut instead of waiting for an end that never comes.
            if let upstreamError { throw upstreamError }
            // Recorded before the response ends: once it has, the rest of this closure may never run.
            if ending == .complete { try await writer.finish(nil) }
        })
    }

    /// The refusal of a billed call the proxy cannot meter, if the `unmetered` policy refuses it.
    func refusingUnmetered(
        route: ProxyRoute, body: [UInt8], attribution: MeteringContext, shape: ProviderErrorBody.Shape, method: HTTPRequest.Method
    ) -> Response? {
        guard let reason = settings.unmetered.refusal(
            provider: route.provider, model: route.pathModel ?? MeteredRequest.model(in: body), attribution: attribution,
            budgets: meter.budgets)
        else { return nil }
        return ProviderErrorBody.unmeteredRefusal(
            message: "llm-cost proxy: \(method.rawValue) \(route.upstreamPath) is billed, but not in a form the proxy can meter, and \(reason)",
            shape: shape)
    }

    /// The header names a `Connection` value lists (hop-by-hop for this message only), lowercase.
    static func connectionOptions(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }
}

/// A metered response as it is relayed: the usage tap, the time to first token, and the call
/// it records once. Used by one task at a time (the relay, then the recording after it ended),
/// hence unchecked.
final class RelayedResponse: @unchecked Sendable {
    struct ClientGone: Error {}
    enum Ending { case complete, clientGone, upstreamFailed }

    private let call: MeteredCall
    private let metrics: ProxyMetrics
    private var tap: UsageTap
    private let started: ContinuousClock.Instant
    private let succeeded: Bool
    private let trustsRequestIDs: Bool
    private let upstreamRequestID: String?
    /// Where a Responses call leaves its context for the calls continuing it.
    private let contexts: StoredContexts?
    /// A non-streamed response's body, for reading its usage even if the client never gets it:
    /// the upstream has done (and billed) all the work before its head arrives.
    private let wholeBody: HTTPClientResponse.Body?
    private(set) var firstToken: Duration?
    private var recorded = false

    init(
        call: MeteredCall, metrics: ProxyMetrics, tap: UsageTap, started: ContinuousClock.Instant, succeeded: Bool,
        trustsRequestIDs: Bool, upstreamRequestID: String?, contexts: StoredContexts?, wholeBody: HTTPClientResponse.Body?
    ) {
        self.contexts = contexts
        self.wholeBody = wholeBody
        self.call = call
        self.metrics = metrics
        self.tap = tap
        self.started = started
        self.succeeded = succeeded
        self.trustsRequestIDs = trustsRequestIDs
        self.upstreamRequestID = upstreamRequestID
    }

    /// A response whose body was never relayed (the client left before its head could be
    /// written, so the server never ran the body): still recorded, as cancelled, with the usage
    /// a non-streamed body reports (read now), else the estimate.
    deinit {
        guard !recorded else { return }
        let call = self.call
        let metrics = self.metrics
        let unread = (tap, wholeBody)
        Task {
            var (tap, body) = unread
            if let body {
                do { for try await chunk in body { tap.consume(chunk.readableBytesView) } } catch {}
            }
            let outcome = tap.finish()
            if let record = await call.finish(status: .cancelled, usage: outcome.usage, receivedText: outcome.receivedText) {
                metrics.record(record)
            }
        }
    }

    func consume(_ chunk: ByteBuffer) {
        tap.consume(chunk.readableBytesView)
        if firstToken == nil, tap.hasContent { firstToken = ContinuousClock.now - started }
    }

    /// What the response said, read once its upstream has ended; a Responses call leaves its
    /// context for the calls continuing it the moment this is known.
    private func outcome() -> UsageTap.Outcome {
        if let finished { return finished }
        let outcome = tap.finish()
        finished = outcome
        if let contexts, let responseID = outcome.responseID, let usage = outcome.usage {
            contexts.remember(responseID, tokens: usage.totalInputTokens + usage.outputTokens)
        }
        return outcome
    }
    private var finished: UsageTap.Outcome?

    /// Records the call once (later calls do nothing), as `ending` says.
    func record(_ ending: Ending) async {
        guard !recorded else { return }
        recorded = true
        let outcome = outcome()
        let status: CallStatus = switch ending {
        // A client that hangs up once it has the end of a stream (an SDK closing its connection
        // at `[DONE]` while the upstream's last bytes are in flight) got the whole answer.
        case .clientGone: tap.streaming && outcome.completed && succeeded ? .ok : .cancelled
        case .upstreamFailed: .error
        case .complete: !succeeded || outcome.failed ? .error : (tap.streaming && !outcome.completed ? .cancelled : .ok)
        }
        let requestID = trustsRequestIDs ? upstreamRequestID ?? outcome.responseID : nil
        if let record = await call.finish(
            status: status, usage: outcome.usage, requestID: requestID, timeToFirstToken: firstToken,
            receivedText: outcome.receivedText)
        {
            metrics.record(record)
        }
    }

    /// The largest whole (non-streamed) body held back until it is complete; a larger one is sent
    /// on as it arrives.
    static let wholeBodyHoldLimit = 4 << 20

    /// Sends a whole (non-streamed) body on once it is complete and read, so that its usage (and
    /// a Responses context) is known before the client has its answer; past
    /// `wholeBodyHoldLimit`, as it arrives. A client gone mid-way: the rest is still read for its
    /// usage (the upstream billed all of it).
    func relayWhole(_ upstream: HTTPClientResponse.Body, to writer: inout any ResponseBodyWriter) async throws {
        var iterator = upstream.makeAsyncIterator()
        var held = ByteBuffer()
        var passing = false
        func send(_ buffer: ByteBuffer, _ writer: inout any ResponseBodyWriter) async throws {
            do {
                try await writer.write(buffer)
            } catch {
                while let rest = try? await iterator.next() { consume(rest) }
                throw ClientGone()
            }
        }
        while let chunk = try await iterator.next() {
            consume(chunk)
            if passing {
                try await send(chunk, &writer)
                continue
            }
            var chunk = chunk
            held.writeBuffer(&chunk)
            if held.readableBytes > Self.wholeBodyHoldLimit {
                passing = true
                try await send(held, &writer)
            }
        }
        _ = outcome()
        if !passing, held.readableBytes > 0 { try await send(held, &writer) }
    }

    /// Sends a stream on event by event as it arrives, reading its usage on the way; with
    /// `removingUsageChunk`, without the usage-only chunk the proxy asked for. A client gone
    /// mid-stream cuts it (whole bodies go through `relayWhole`).
    func relay(_ upstream: HTTPClientResponse.Body, to writer: inout any ResponseBodyWriter, removingUsageChunk: Bool) async throws {
        var remover = UsageChunkRemover()
        for try await chunk in upstream {
            consume(chunk)
            let passed = removingUsageChunk ? ByteBuffer(bytes: remover.pass(chunk.readableBytesView)) : chunk
            guard passed.readableBytes > 0 else { continue }
            do { try await writer.write(passed) } catch { throw ClientGone() }
        }
        let rest = remover.finish()
        if !rest.isEmpty {
            do { try await writer.write(ByteBuffer(bytes: rest)) } catch { throw ClientGone() }
        }
    }
}
