import Foundation

/// When and how long to wait before trying a failed call again.
///
/// Retries cover retryable `ProviderError`s (429, 500, 502, 503, 504, 529, connection errors,
/// timeouts), never other 4xx, and never a stream that has already delivered an event.
/// The wait before retry `n` (0-based) is `min(base * 2^n + jitter, maxDelay)` with jitter in
/// `0..<base`; a `Retry-After` from the provider replaces it, unless it is longer than
/// `maxRetryAfter`, in which case waiting is pointless and the error is returned at once.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt (the official SDKs' default of 2 means 3 attempts).
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxRetryAfter: Duration

    public init(maxRetries: Int = 2, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(10),
                maxRetryAfter: Duration = .seconds(60)) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxRetries: 0)

    /// The wait before retry number `retry` (0-based) after `error`, or `nil` to give up.
    public func delay(beforeRetry retry: Int, after error: ProviderError,
                      jitter: Double = Double.random(in: 0..<1)) -> Duration? {
        guard error.isRetryable, retry < maxRetries else { return nil }
        if let retryAfter = error.retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        let exponential = baseDelay * (1 << min(retry, 20)) + baseDelay * jitter
        return min(exponential, maxDelay)
    }

    /// Reads `retry-after-ms` (OpenAI) or `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(from head: HTTPResponseHead, now: Date = Date()) -> Duration? {
        if let ms = head[header: "retry-after-ms"].flatMap(Double.init), ms >= 0 {
            return .milliseconds(Int64(ms))
        }
        guard let value = head[header: "retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) {
            return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
        }
        return nil
    }
}
