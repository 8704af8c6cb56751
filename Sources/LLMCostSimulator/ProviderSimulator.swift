import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback HTTP/1.1 server that speaks the Anthropic Messages, OpenAI chat completions and
/// OpenAI Responses wire formats, streamed and not, with scripted misbehaviour.
///
/// Use it in-process (tests, the metering layer's concurrency tests) or from
/// `llm-cost simulate --port N`. Replies come from the queue of `enqueue`d replies first, in
/// order; when the queue is empty, from `SimulatorBehavior.reply(to:)` (deterministic echo
/// replies, plus scenarios chosen by the `x-simulator-scenario` header or a `sim-SCENARIO` model).
/// Responses are deterministic: the same request gets the same bytes, except the request id
/// header, which counts requests.
public final class ProviderSimulator: @unchecked Sendable {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private let lock = NSLock()
    private var queue: [SimulatedReply] = []
    private var received: [SimulatorRequest] = []
    private var listener: Int32 = -1
    private var requestCount = 0
    private var replyOutcomes: [ReplyOutcome] = []
    private var servedFiles: URL?
    private var webhookScript: [WebhookAnswer] = []
    private var webhooksReleased = false
    private let webhookRelease = NSCondition()
    private let behavior: SimulatorBehavior
    /// The authorization server beside the providers, when sign-in is simulated: provider
    /// requests then need one of its access tokens or keys.
    public let authorization: SimulatedAuthorization?
    /// The port it listens on (after `start`).
    public private(set) var port: UInt16 = 0

    /// Whether a connection serves more requests after a complete reply (as the providers' own
    /// servers do), instead of one request per connection.
    public let keepsConnectionsAlive: Bool

    /// - Parameters:
    ///   - requiredAPIKey: when set, requests without this key (in `x-api-key`, `api-key` or a
    ///     bearer token) get a 401 in their format.
    ///   - keepsConnectionsAlive: serve further requests on a connection whose reply completed
    ///     (until the client says `connection: close`); off by default, which keeps each call's
    ///     connection its own.
    ///   - authorization: an OAuth authorization server to serve beside the providers (see
    ///     `SimulatedAuthorization`).
    public init(requiredAPIKey: String? = nil, keepsConnectionsAlive: Bool = false, authorization: SimulatedAuthorization? = nil) {
        behavior = SimulatorBehavior(requiredAPIKey: requiredAPIKey)
        self.keepsConnectionsAlive = keepsConnectionsAlive
        self.authorization = authorization
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts listening on `host:port` (port 0 picks a free one) and returns the port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port requested: UInt16 = 0) throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket() failed: errno \(errno)") }
        // Only a fixed port needs SO_REUSEADDR (a restart while old connections linger). With
        // port 0 it would let the kernel hand out a port another simulator just closed, and a
        // straggling client of that one (a retry after a timeout) would take this one's replies.
        if requested != 0 {
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requested.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw StartError(description: "not an IPv4 address: \(host)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw StartError(description: "cannot listen on \(host):\(requested): \(String(cString: strerror(code)))")
        }
        guard listen(fd, 128) == 0 else {
            close(fd)
            throw StartError(description: "listen() failed: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        lock.lock()
        listener = fd
        port = UInt16(bigEndian: actual.sin_port)
        lock.unlock()
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "llm-cost simulator accept"
        thread.start()
        return port
    }

    /// Stops accepting connections. Replies in flight finish or fail on their own.
    public func stop() {
        lock.lock()
        let fd = listener
        listener = -1
        lock.unlock()
        releaseWebhooks()
        guard fd >= 0 else { return }
        // shutdown() wakes the thread blocked in accept() (close() alone does not on Linux) and
        // makes every later accept() fail. The accept thread closes the descriptor itself, so
        // its number cannot be reused by another socket while that thread might still use it.
        shutdown(fd, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    /// Queues replies for the next requests, in order.
    public func enqueue(_ replies: SimulatedReply...) {
        lock.lock()
        queue += replies
        lock.unlock()
    }

    /// How each reply ended so far, in the order they ended.
    public var outcomes: [ReplyOutcome] {
        lock.lock()
        defer { lock.unlock() }
        return replyOutcomes
    }

    /// GETs under this prefix serve the text files of `filesDirectory` (`baseURL` + `/files/NAME`).
    public static let filesPathPrefix = "/files/"

    /// The folder `/files/NAME` serves (none: 404). Set it before requests arrive.
    public var filesDirectory: URL? {
        get { lock.lock(); defer { lock.unlock() }; return servedFiles }
        set { lock.lock(); servedFiles = newValue; lock.unlock() }
    }

    /// POSTs to paths under this prefix are taken as webhook deliveries: `baseURL` + `/hooks/alerts`.
    public static let webhookPathPrefix = "/hooks/"

    /// `baseURL` + `/hooks/alerts`: a webhook sink for alert deliveries.
    public var webhookURL: URL { baseURL.appendingPathComponent("hooks/alerts") }

    /// How the webhook sink answers one delivery.
    public enum WebhookAnswer: Sendable {
        /// This status, with a two-byte body.
        case status(Int)
        /// Read the delivery, then say nothing until `releaseWebhooks()` or `stop()`: a webhook
        /// that has gone silent.
        case silence
    }

    /// Answers for the next webhook deliveries, in order; after them every delivery gets 200.
    public func scriptWebhooks(_ answers: WebhookAnswer...) {
        lock.lock()
        webhookScript += answers
        lock.unlock()
    }

    /// Lets every silent webhook delivery, now and later, answer 200.
    public func releaseWebhooks() {
        webhookRelease.lock()
        webhooksReleased = true
        webhookRelease.broadcast()
        webhookRelease.unlock()
    }

    /// The webhook deliveries received so far, in arrival order.
    public var webhookRequests: [SimulatorRequest] {
        requests.filter { $0.path.hasPrefix(Self.webhookPathPrefix) }
    }

    /// Every request received so far, in arrival order.
    public var requests: [SimulatorRequest] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    private func acceptLoop(_ fd: Int32) {
        defer { close(fd) }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            lock.lock()
            let stopped = listener != fd
            lock.unlock()
            if stopped {
                HTTPConnection(fd: client).close()
                return
            }
            var noDelay: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(HTTPConnection(fd: client)) }
            thread.name = "llm-cost simulator connection"
            thread.start()
        }
    }

    private func serve(_ connection: HTTPConnection) {
        defer { connection.close() }
        while let request = try? connection.readRequest() {
            let keepAlive = keepsConnectionsAlive && request.headers["connection"]?.lowercased() != "close"
            guard serve(request, on: connection, keepAlive: keepAlive) == .complete, keepAlive else { return }
        }
    }

    /// Answers one request; `keepAlive`: the reply says so, and the connection may serve another.
    private func serve(_ request: SimulatorRequest, on connection: HTTPConnection, keepAlive: Bool) -> ReplyOutcome {
        let connectionHeader = ("connection", keepAlive ? "keep-alive" : "close")
        if request.path.hasPrefix(Self.filesPathPrefix) {
            // Static files (a rank-file mirror in tests): recorded, served from `filesDirectory`.
            lock.lock()
            received.append(request)
            let folder = servedFiles
            lock.unlock()
            let name = String(request.path.dropFirst(Self.filesPathPrefix.count))
            let body = folder.flatMap { name.contains("/") || name.hasPrefix(".") ? nil : try? String(contentsOf: $0.appendingPathComponent(name), encoding: .utf8) }
            let status = body == nil ? 404 : 200
            let ok = connection.writeHead(status: status, headers: [connectionHeader, ("content-length", "\((body ?? "").utf8.count)")])
                && connection.write(body ?? "")
            return ok ? .complete : .clientGone
        }
        if request.path.hasPrefix(Self.webhookPathPrefix) {
            // A webhook sink (alert deliveries in the demo and tests): recorded, answered as
            // scripted (200 by default), and never given a reply queued for the provider.
            lock.lock()
            received.append(request)
            let answer = webhookScript.isEmpty ? .status(200) : webhookScript.removeFirst()
            lock.unlock()
            var status = 200
            switch answer {
            case .status(let code): status = code
            case .silence:
                webhookRelease.lock()
                while !webhooksReleased { webhookRelease.wait() }
                webhookRelease.unlock()
            }
            let ok = connection.writeHead(status: status, headers: [connectionHeader, ("content-length", "2")]) && connection.write("ok")
            return ok ? .complete : .clientGone
        }
        if let authorization, SimulatedAuthorization.handles(request.path) {
            lock.lock()
            received.append(request)
            lock.unlock()
            let answer = authorization.answer(request)
            let ok = connection.writeHead(
                status: answer.status, headers: [connectionHeader] + answer.headers + [("content-length", "\(answer.body.utf8.count)")])
                && connection.write(answer.body)
            return ok ? .complete : .clientGone
        }
        // A provider call without a live token is refused before it can take a queued reply.
        let refused = authorization.map { request.format != nil && !$0.accepts(SimulatorBehavior.presentedKey(request)) } ?? false
        lock.lock()
        received.append(request)
        requestCount += 1
        let number = requestCount
        let reply = queue.isEmpty || refused ? nil : queue.removeFirst()
        lock.unlock()
        let chosen = refused
            ? SimulatedReply.httpError(status: 401, message: "invalid or expired access token (the simulated authorization server issued none like it)")
            : reply ?? behavior.reply(to: request)
        let outcome = ReplyWriter(connection: connection, request: request, requestNumber: number, connectionHeader: connectionHeader.1)
            .write(chosen)
        lock.lock()
        replyOutcomes.append(outcome)
        lock.unlock()
        return outcome
    }
}

/// How the simulator's side of one reply ended.
public enum ReplyOutcome: Sendable, Hashable {
    /// Everything was written.
    case complete
    /// The reply was cut off on purpose (`cutAfterEvents`).
    case cut
    /// The client closed the connection before the reply was complete (a cancelled call).
    case clientGone
}

/// Writes one reply, applying its delays, stalls, cut-offs and corruption.
struct ReplyWriter {
    let connection: HTTPConnection
    let request: SimulatorRequest
    let requestNumber: Int
    /// `close`, or `keep-alive` when the connection serves another request after this one.
    var connectionHeader = "close"

    func write(_ reply: SimulatedReply) -> ReplyOutcome {
        sleep(reply.firstByteDelay)
        let format = request.format ?? .openAIChat
        var headers: [(String, String)] = [("connection", connectionHeader)]
        let requestID = String(format: "req_sim_%06d", requestNumber)
        headers.append(format == .anthropic ? ("request-id", requestID) : ("x-request-id", requestID))
        for (name, value) in reply.headers.sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        // A scripted verbatim body is served at any path (endpoints the simulator does not model,
        // such as embeddings); otherwise an unknown path is a 404.
        var isVerbatim = false
        if case .raw = reply.body { isVerbatim = true }
        guard request.format != nil || isVerbatim else {
            let body = jsonText(["error": ["message": "no such endpoint: \(request.path)", "type": "not_found_error"]])
            let ok = connection.writeHead(status: 404, headers: headers + [("content-type", "application/json"), ("content-length", "\(body.utf8.count)")])
                && connection.write(body)
            return ok ? .complete : .clientGone
        }
        switch WireRenderer.render(reply.body, format: format, request: request) {
        case .body(let status, let contentType, let text):
            if contentType == "text/event-stream" {
                // A raw event stream (a transcript) is split into its events, so the stream
                // misbehaviours apply to it too.
                let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { $0 + "\n\n" }
                return writeStream(events: events, reply: reply, headers: headers, rawLastEvent: !text.hasSuffix("\n\n"))
            }
            let ok = connection.writeHead(status: status, headers: headers + [("content-type", contentType), ("content-length", "\(text.utf8.count)")])
                && connection.write(text)
            return ok ? .complete : .clientGone
        case .events(let events):
            return writeStream(events: events.map(\.wireText), reply: reply, headers: headers, rawLastEvent: false)
        }
    }

    /// Writes events as chunks of a chunked body; ends with the terminating chunk unless cut.
    /// `rawLastEvent`: the source text had no final blank line; keep it that way.
    private func writeStream(events: [String], reply: SimulatedReply, headers: [(String, String)], rawLastEvent: Bool) -> ReplyOutcome {
        guard connection.writeHead(status: 200, headers: headers + [
            ("content-type", "text/event-stream"), ("cache-control", "no-cache"), ("transfer-encoding", "chunked"),
        ]) else { return .clientGone }
        for (index, event) in events.enumerated() {
            if let cut = reply.cutAfterEvents, index >= cut { return .cut }  // no terminating chunk: a broken stream
            if let stall = reply.stallAfterEvents, index == stall { sleep(reply.stallDuration) }
            if index > 0 { sleep(reply.eventDelay) }
            var text = event
            if index == events.count - 1, rawLastEvent, text.hasSuffix("\n\n") { text.removeLast(2) }
            if index == reply.malformedEventIndex { text = Self.corrupt(text) }
            guard connection.writeChunk(text) else { return .clientGone }
        }
        return connection.write("0\r\n\r\n") ? .complete : .clientGone
    }

    /// Breaks the JSON of an event's data line while keeping the SSE framing intact.
    static func corrupt(_ event: String) -> String {
        event.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("data: ") ? "data: {\"type\": broken-json" : String(line)
        }.joined(separator: "\n")
    }

    private func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let parts = duration.components
        Thread.sleep(forTimeInterval: Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}
