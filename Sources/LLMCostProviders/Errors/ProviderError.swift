import Foundation

/// Every failure a provider call can end with, in one type.
///
/// A struct wrapping a private code (like async-http-client's `HTTPClientError`), so new kinds
/// can be added without breaking `switch`es in user code. Compare `error.kind` with the static
/// kinds: `if error.kind == .rateLimited { ... }`. Messages never contain API keys: adapters only
/// put the provider's own message and our diagnosis here, and `RawLog` redacts headers.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    fileprivate enum Code: String, Sendable {
        case authentication, permission, notFound, invalidRequest, rateLimited, overloaded, server
        case network, timeout, decoding, cancelled, configuration
    }

    /// The kind of failure, for matching.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate let code: Code
        /// 401: the key or token is missing, wrong or expired.
        public static let authentication = Kind(code: .authentication)
        /// 403: the key is valid but may not do this.
        public static let permission = Kind(code: .permission)
        /// 404: wrong URL, unknown model, or a model the endpoint does not serve.
        public static let notFound = Kind(code: .notFound)
        /// 400, 413, 422: the request itself is wrong.
        public static let invalidRequest = Kind(code: .invalidRequest)
        /// 429: slow down; `retryAfter` says for how long when the provider said.
        public static let rateLimited = Kind(code: .rateLimited)
        /// 529 or an `overloaded_error` event: the provider is busy.
        public static let overloaded = Kind(code: .overloaded)
        /// 5xx.
        public static let server = Kind(code: .server)
        /// The connection failed or broke (refused, reset, cut off mid-stream).
        public static let network = Kind(code: .network)
        /// A connect, first-byte, idle or total timeout fired.
        public static let timeout = Kind(code: .timeout)
        /// The reply was not what the wire format promises (malformed JSON, missing fields).
        public static let decoding = Kind(code: .decoding)
        /// The caller cancelled the call.
        public static let cancelled = Kind(code: .cancelled)
        /// The provider is set up wrong (no API key, bad base URL), found before sending anything.
        public static let configuration = Kind(code: .configuration)

        public var description: String { code.rawValue }
    }

    private let code: Code
    /// The configured provider name (`anthropic`, `openrouter`, ...).
    public let provider: String
    /// The HTTP status, when the failure came with one.
    public let httpStatus: Int?
    /// The provider's request id, when known (quote it to the provider's support).
    public let requestID: String?
    /// The provider's own message, or our diagnosis.
    public let message: String
    /// How long the provider asked us to wait (`Retry-After`).
    public let retryAfter: Duration?

    private init(
        _ code: Code, provider: String, httpStatus: Int? = nil, requestID: String? = nil, message: String,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.provider = provider
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.message = message
        self.retryAfter = retryAfter
    }

    public var kind: Kind { Kind(code: code) }

    /// Whether trying the same request again may succeed: rate limits, overload, 5xx, network
    /// failures and timeouts. Never authentication, bad requests, decoding or cancellation.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .overloaded, .server, .network, .timeout: return true
        default: return false
        }
    }

    public var description: String {
        var text = "\(provider): \(code.rawValue)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        text += ": \(message)"
        if let retryAfter { text += " [retry after \(retryAfter)]" }
        if let requestID { text += " [request id \(requestID)]" }
        return text
    }

    public static func authentication(provider: String, status: Int?, requestID: String?, message: String) -> Self {
        Self(.authentication, provider: provider, httpStatus: status, requestID: requestID, message: message)
    }
    public static func permission(provider: String, status: Int?, requestID: String?, message: String) -> Self {
        Self(.permission, provider: provider, httpStatus: status, requestID: requestID, message: message)
    }
    public static func notFound(provider: String, status: Int?, requestID: String?, message: String) -> Self {
        Self(.notFound, provider: provider, httpStatus: status, requestID: requestID, message: message)
    }
    public static func invalidRequest(provider: String, status: Int?, requestID: String?, message: String) -> Self {
        Self(.invalidRequest, provider: provider, httpStatus: status, requestID: requestID, message: message)
    }
    public static func rateLimited(
        provider: String, status: Int?, requestID: String?, message: String, retryAfter: Duration?
    ) -> Self {
        Self(.rateLimited, provider: provider, httpStatus: status, requestID: requestID, message: message, retryAfter: retryAfter)
    }
    public static func overloaded(
        provider: String, status: Int?, requestID: String?, message: String, retryAfter: Duration? = nil
    ) -> Self {
        Self(.overloaded, provider: provider, httpStatus: status, requestID: requestID, message: message, retryAfter: retryAfter)
    }
    public static func server(
        provider: String, status: Int?, requestID: String?, message: String, retryAfter: Duration? = nil
    ) -> Self {
        Self(.server, provider: provider, httpStatus: status, requestID: requestID, message: message, retryAfter: retryAfter)
    }
    public static func network(provider: String, requestID: String? = nil, message: String) -> Self {
        Self(.network, provider: provider, requestID: requestID, message: message)
    }
    public static func timeout(provider: String, requestID: String? = nil, message: String) -> Self {
        Self(.timeout, provider: provider, requestID: requestID, message: message)
    }
    public static func decoding(provider: String, requestID: String? = nil, message: String) -> Self {
        Self(.decoding, provider: provider, requestID: requestID, message: message)
    }
    public static func cancelled(provider: String, requestID: String? = nil) -> Self {
        Self(.cancelled, provider: provider, requestID: requestID, message: "the call was cancelled")
    }
    public static func configuration(provider: String, message: String) -> Self {
        Self(.configuration, provider: provider, message: message)
    }

    /// Classifies a failed HTTP reply by status, keeping the provider's message.
    /// A body error type of `overloaded_error` (Anthropic) wins over the status.
    /// `inStream`: the error arrived as an event of a 200 stream; `status` then only picks the
    /// kind and is not reported as the HTTP status.
    static func fromHTTPStatus(
        _ wireStatus: Int, provider: String, requestID: String?, message: String, errorType: String?,
        retryAfter: Duration?, inStream: Bool = false
    ) -> Self {
        let status: Int? = inStream ? nil : wireStatus
        if errorType == "overloaded_error" {
            return .overloaded(provider: provider, status: status, requestID: requestID, message: message, retryAfter: retryAfter)
        }
        switch wireStatus {
        case 401: return .authentication(provider: provider, status: status, requestID: requestID, message: message)
        case 403: return .permission(provider: provider, status: status, requestID: requestID, message: message)
        case 404: return .notFound(provider: provider, status: status, requestID: requestID, message: message)
        case 408: return Self(.timeout, provider: provider, httpStatus: status, requestID: requestID, message: message)
        case 429: return .rateLimited(provider: provider, status: status, requestID: requestID, message: message, retryAfter: retryAfter)
        case 529: return .overloaded(provider: provider, status: status, requestID: requestID, message: message, retryAfter: retryAfter)
        case 500...599: return .server(provider: provider, status: status, requestID: requestID, message: message, retryAfter: retryAfter)
        default: return .invalidRequest(provider: provider, status: status, requestID: requestID, message: message)
        }
    }

    /// The same kind of error, reported by `router` with `message` (what every candidate said).
    func reported(by router: String, message: String) -> Self {
        Self(code, provider: router, httpStatus: httpStatus, requestID: requestID, message: message, retryAfter: retryAfter)
    }

    /// The same error, with the request id filled in when it was not known yet.
    func withRequestID(_ id: String?) -> Self {
        guard requestID == nil, let id else { return self }
        return Self(code, provider: provider, httpStatus: httpStatus, requestID: id, message: message, retryAfter: retryAfter)
    }
}
