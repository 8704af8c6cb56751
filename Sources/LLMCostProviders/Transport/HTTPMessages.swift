import Foundation

/// An HTTP request as adapters build it, before the transport sends it.
public struct HTTPRequestSpec: Sendable {
    public var url: URL
    public var method: String
    /// Header names as given; the transport sends them unchanged.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(url: URL, method: String = "POST", headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// The head of an HTTP response.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]

    public init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }

    public subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// A response whose body arrives as chunks, as the server writes them.
public struct StreamingHTTPResponse: Sendable {
    public var head: HTTPResponseHead
    /// The body chunks. Ends by throwing a `TransportError` when the connection fails or a
    /// timeout fires; cancelling the consuming task closes the connection.
    public var body: AsyncThrowingStream<Data, Error>

    public init(head: HTTPResponseHead, body: AsyncThrowingStream<Data, Error>) {
        self.head = head
        self.body = body
    }

    /// Reads the whole body, up to `limit` bytes (error bodies are small; this guards memory).
    public func collectBody(limit: Int = 1 << 20) async throws -> Data {
        var data = Data()
        for try await chunk in body {
            data.append(chunk.prefix(max(0, limit - data.count)))
            if data.count >= limit { break }
        }
        return data
    }
}

/// Why the transport failed, before the adapter turns it into a `ProviderError`.
public enum TransportError: Error, Sendable, Equatable {
    case connectTimeout
    case firstByteTimeout
    case idleTimeout
    case totalTimeout
    case cancelled
    /// The connection failed or broke; the text is the system's description.
    case connection(String)

    var isTimeout: Bool {
        switch self {
        case .connectTimeout, .firstByteTimeout, .idleTimeout, .totalTimeout: return true
        default: return false
        }
    }

    var explanation: String {
        switch self {
        case .connectTimeout: return "could not connect within the connect timeout"
        case .firstByteTimeout: return "no response within the first-byte timeout"
        case .idleTimeout: return "the stream went silent for longer than the idle timeout"
        case .totalTimeout: return "the call exceeded its total timeout"
        case .cancelled: return "cancelled"
        case .connection(let text): return text
        }
    }
}

/// Sends HTTP requests and streams their bodies. `URLSessionTransport` is the real one;
/// tests and embedders may supply their own.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns once the response head arrived.
    /// Throws `TransportError` when connecting, sending or waiting for the head fails.
    func send(_ request: HTTPRequestSpec, timeouts: Timeouts) async throws -> StreamingHTTPResponse
}
