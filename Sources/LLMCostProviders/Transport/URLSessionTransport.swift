import Foundation
import LLMCostCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real transport: FoundationNetworking's `URLSession` (libcurl on Linux), bridged from its
/// delegate callbacks to an `AsyncThrowingStream` of body chunks, since Linux has no
/// `URLSession.bytes(for:)`.
///
/// Each call gets its own session and delegate, so a slow stream never shares state with
/// another call, and invalidating the session on cancel or timeout closes exactly that
/// connection. Our own watchdog enforces the four `Timeouts` (URLSession only knows "request"
/// and "resource" intervals, which cannot tell a dead connect from a slow first token).
public struct URLSessionTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequestSpec, timeouts: Timeouts) async throws -> StreamingHTTPResponse {
        let call = StreamingCallDelegate(timeouts: timeouts)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        // Backstops only; the watchdog fires first.
        configuration.timeoutIntervalForRequest = timeouts.firstByte.seconds + timeouts.idle.seconds + 1
        configuration.timeoutIntervalForResource = timeouts.total.seconds + 1
        let session = URLSession(configuration: configuration, delegate: call, delegateQueue: nil)
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for header in request.headers { urlRequest.addValue(header.value, forHTTPHeaderField: header.name) }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        let task = session.dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                call.start(task: task, session: session, head: continuation)
            }
        } onCancel: {
            call.fail(.cancelled)
        }
    }
}


/// One call's delegate: delivers the head once, then the body chunks, and runs the watchdog.
/// All state sits behind one lock; URLSession calls us on its own queue.
private final class StreamingCallDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private enum Phase {
        case idle
        case waitingForHead(CheckedContinuation<StreamingHTTPResponse, Error>)
        case streaming
        case done
    }

    private let timeouts: Timeouts
    private let lock = NSLock()
    private var phase = Phase.idle
    private var task: URLSessionDataTask?
    private var session: URLSession?
    private var watchdog: (any DispatchSourceTimer)?
    private let clock = ContinuousClock()
    private var started = ContinuousClock.now
    private var lastActivity = ContinuousClock.now
    private let body: AsyncThrowingStream<Data, Error>
    private let bodyContinuation: AsyncThrowingStream<Data, Error>.Continuation

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
        (body, bodyContinuation) = AsyncThrowingStream<Data, Error>.makeStream()
        super.init()
        bodyContinuation.onTermination = { [weak self] termination in
            // The consumer stopped reading (cancelled or dropped the stream): close the connection.
            if case .cancelled = termination { self?.fail(.cancelled) }
        }
    }

    func start(task: URLSessionDataTask, session: URLSession, head: CheckedContinuation<StreamingHTTPResponse, Error>) {
        lock.lock()
        if case .done = phase {
            // Cancelled before we even started.
            lock.unlock()
            session.invalidateAndCancel()
            head.resume(throwing: TransportError.cancelled)
            return
        }
        self.task = task
        self.session = session
        phase = .waitingForHead(head)
        started = clock.now
        lastActivity = started
        lock.unlock()
        startWatchdog()
        task.resume()
    }

    private func startWatchdog() {
        let shortest = min(timeouts.connect, timeouts.firstByte, timeouts.idle, timeouts.total)
        let tick = max(.milliseconds(5), min(shortest / 5, .milliseconds(200)))
        // A Dispatch timer, not a task: it fires on time even while the concurrency pool (two
        // threads on a 2-core machine) is busy with other work.
        let watchdog = DispatchSource.makeTimerSource(queue: Self.watchdogQueue)
        let interval = DispatchTimeInterval.nanoseconds(Int(tick.components.seconds) * 1_000_000_000 + Int(tick.components.attoseconds / 1_000_000_000))
        watchdog.schedule(deadline: .now() + interval, repeating: interval)
        watchdog.setEventHandler { [weak self] in
            guard let self, let expired = self.expiredTimeout() else { return }
            self.fail(expired)
        }
        lock.lock()
        if case .done = phase {
            lock.unlock()
            // Released inactive, a Dispatch source aborts the process: activate, then cancel.
            watchdog.resume()
            watchdog.cancel()
            return
        }
        self.watchdog = watchdog
        lock.unlock()
        watchdog.resume()
    }
    private static let watchdogQueue = DispatchQueue(label: "llm-cost.transport.watchdog")

    /// Which timeout has fired, if any.
    private func expiredTimeout() -> TransportError? {
        lock.lock()
        defer { lock.unlock() }
        let now = clock.now
        switch phase {
        case .idle, .done:
            return nil
        case .waitingForHead:
            // URLSession does not report "connected"; a request body starts uploading only once
            // the connection is up, so no byte sent by then means we never connected.
            if now - started > timeouts.connect, let task, task.countOfBytesSent == 0,
                task.originalRequest?.httpBody?.isEmpty == false
            {
                return .connectTimeout
            }
            if now - started > timeouts.connect + timeouts.firstByte { return .firstByteTimeout }
        case .streaming:
            if now - lastActivity > timeouts.idle { return .idleTimeout }
        }
        if now - started > timeouts.total { return .totalTimeout }
        return nil
    }

    /// Ends the call with `error`, whatever phase it is in, and closes the connection.
    func fail(_ error: TransportError) {
        lock.lock()
        let previous = phase
        phase = .done
        let session = self.session
        let watchdog = self.watchdog
        lock.unlock()
        switch previous {
        case .done: return
        case .idle: break
        case .waitingForHead(let head): head.resume(throwing: error)
        case .streaming: bodyContinuation.finish(throwing: error)
        }
        bodyContinuation.finish(throwing: error)
        watchdog?.cancel()
        session?.invalidateAndCancel()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        let head = HTTPResponseHead(status: http?.statusCode ?? 0, headers: headers)
        lock.lock()
        guard case .waitingForHead(let continuation) = phase else {
            lock.unlock()
            completionHandler(.cancel)
            return
        }
        phase = .streaming
        lastActivity = clock.now
        lock.unlock()
        completionHandler(.allow)
        continuation.resume(returning: StreamingHTTPResponse(head: head, body: body))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        guard case .streaming = phase else {
            lock.unlock()
            return
        }
        lastActivity = clock.now
        lock.unlock()
        bodyContinuation.yield(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        let previous = phase
        phase = .done
        let watchdog = self.watchdog
        lock.unlock()
        watchdog?.cancel()
        let failure = error.map { TransportError.connection(Self.describe($0)) }
        switch previous {
        case .done, .idle: break
        case .waitingForHead(let head):
            head.resume(throwing: failure ?? TransportError.connection("the server closed the connection without a response"))
        case .streaming:
            if let failure { bodyContinuation.finish(throwing: failure) } else { bodyContinuation.finish() }
        }
        session.finishTasksAndInvalidate()
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        switch ns.code {
        case NSURLErrorCannotConnectToHost: return "connection refused (is the server running and the base URL right?)"
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed: return "unknown host (check the base URL)"
        case NSURLErrorNetworkConnectionLost: return "the connection was lost mid-response"
        case NSURLErrorTimedOut: return "timed out"
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted: return "TLS failed: \(ns.localizedDescription)"
        default: return ns.localizedDescription
        }
    }
}
