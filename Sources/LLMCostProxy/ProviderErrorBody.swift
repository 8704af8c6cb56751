import Foundation
import HTTPTypes
import Hummingbird
import LLMCost

/// Errors the proxy answers itself, in the shape the route's clients parse: OpenAI's
/// `{"error":{"message","type","code"}}` or Anthropic's `{"type":"error","error":{"type","message"}}`.
enum ProviderErrorBody {
    enum Shape { case openAI, anthropic }

    static func response(status: HTTPResponse.Status, shape: Shape, type: String, code: String, message: String, extraHeaders: HTTPFields = [:]) -> Response {
        let object: [String: Any] = switch shape {
        case .openAI: ["error": ["message": message, "type": type, "code": code, "param": NSNull()]]
        case .anthropic: ["type": "error", "error": ["type": type, "message": message]]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A budget's refusal: HTTP 429 with `x-should-retry: false` (the official SDKs then raise
    /// their rate-limit error without retrying), the message naming the budget, its spend and
    /// limit, and when it resets.
    static func refusal(_ error: MeteringError, shape: Shape) -> Response {
        let type = shape == .anthropic ? "rate_limit_error" : "insufficient_quota"
        let code = error.isUnpricedModel ? "model_unpriced" : "budget_exceeded"
        return response(status: .tooManyRequests, shape: shape, type: type, code: code, message: "llm-cost: \(error)", extraHeaders: noRetry)
    }

    /// A billed call the proxy cannot meter, refused by the `unmetered` policy: HTTP 403
    /// `unmetered_endpoint`, not to be retried.
    static func unmeteredRefusal(message: String, shape: Shape) -> Response {
        response(status: .forbidden, shape: shape, type: "permission_error", code: "unmetered_endpoint", message: message, extraHeaders: noRetry)
    }

    /// `x-should-retry: false`: the official SDKs raise at once instead of retrying.
    private static var noRetry: HTTPFields {
        var headers = HTTPFields()
        if let name = HTTPField.Name("x-should-retry") { headers[name] = "false" }
        return headers
    }
}
