import Foundation
import LLMCostCore

/// The three wire formats the simulator speaks, chosen by the request path.
public enum WireFormat: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/messages`
    case anthropic
    /// `POST .../chat/completions`
    case openAIChat = "openai-chat"
    /// `POST .../responses`
    case openAIResponses = "openai-responses"

    /// The format served at `path` (query string ignored), or `nil`.
    public init?(path: String) {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if bare.hasSuffix("/messages") {
            self = .anthropic
        } else if bare.hasSuffix("/chat/completions") {
            self = .openAIChat
        } else if bare.hasSuffix("/responses") {
            self = .openAIResponses
        } else {
            return nil
        }
    }
}

/// A tool call the simulated model makes, its arguments split into the pieces to stream.
public struct SimulatedToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var argumentChunks: [String]

    public init(id: String, name: String, argumentChunks: [String]) {
        self.id = id
        self.name = name
        self.argumentChunks = argumentChunks
    }
}

/// What the simulated model says: rendered in whichever wire format the request came in.
public struct SimulatedCompletion: Sendable, Hashable {
    /// The reported model; `nil` echoes the request's model.
    public var model: String?
    public var id: String
    public var textChunks: [String]
    public var reasoningChunks: [String]
    public var toolCalls: [SimulatedToolCall]
    /// The usage to report, in our shape (converted to each wire format's own).
    public var usage: Usage
    /// The wire's stop reason; `nil` picks the natural one (tool use when there are tool calls).
    public var stopReason: String?
    /// OpenAI chat: whether the final usage chunk is sent (when the request asked for it).
    public var sendsUsage: Bool

    public init(
        model: String? = nil, id: String = "sim_0001", textChunks: [String] = [], reasoningChunks: [String] = [],
        toolCalls: [SimulatedToolCall] = [], usage: Usage = Usage(inputTokens: 10, outputTokens: 5),
        stopReason: String? = nil, sendsUsage: Bool = true
    ) {
        self.model = model
        self.id = id
        self.textChunks = textChunks
        self.reasoningChunks = reasoningChunks
        self.toolCalls = toolCalls
        self.usage = usage
        self.stopReason = stopReason
        self.sendsUsage = sendsUsage
    }
}

/// One scripted reply: what to send and how badly to behave while sending it.
public struct SimulatedReply: Sendable {
    public enum Body: Sendable {
        /// A completion, streamed or not as the request asked.
        case completion(SimulatedCompletion)
        /// Server-sent events sent verbatim (for example a recorded transcript).
        case rawEventStream(String)
        /// An error in the format's own error shape.
        case error(status: Int, type: String, message: String)
        /// Any status and body, verbatim.
        case raw(status: Int, contentType: String, body: String)
    }

    public var body: Body
    /// Extra response headers (`retry-after`, ...).
    public var headers: [String: String]
    /// Wait before sending the response head (a slow first token).
    public var firstByteDelay: Duration
    /// Wait between two events of a stream.
    public var eventDelay: Duration
    /// After this many events, go silent for `stallDuration` (to trip an idle timeout).
    public var stallAfterEvents: Int?
    public var stallDuration: Duration
    /// After this many events, close the connection without ending the stream properly.
    public var cutAfterEvents: Int?
    /// Replace the data of event number `malformedEventIndex` (0-based) with broken JSON.
    public var malformedEventIndex: Int?

    public init(
        _ body: Body, headers: [String: String] = [:], firstByteDelay: Duration = .zero, eventDelay: Duration = .zero,
        stallAfterEvents: Int? = nil, stallDuration: Duration = .seconds(5), cutAfterEvents: Int? = nil,
        malformedEventIndex: Int? = nil
    ) {
        self.body = body
        self.headers = headers
        self.firstByteDelay = firstByteDelay
        self.eventDelay = eventDelay
        self.stallAfterEvents = stallAfterEvents
        self.stallDuration = stallDuration
        self.cutAfterEvents = cutAfterEvents
        self.malformedEventIndex = malformedEventIndex
    }

    /// A plain text reply.
    public static func text(_ chunks: [String], usage: Usage = Usage(inputTokens: 10, outputTokens: 5)) -> SimulatedReply {
        SimulatedReply(.completion(SimulatedCompletion(textChunks: chunks, usage: usage)))
    }

    /// A reply that calls one tool, its arguments split into `argumentChunks`.
    public static func toolCall(
        id: String = "call_sim_1", name: String, argumentChunks: [String], text: [String] = [],
        usage: Usage = Usage(inputTokens: 20, outputTokens: 12)
    ) -> SimulatedReply {
        SimulatedReply(.completion(SimulatedCompletion(
            textChunks: text, toolCalls: [SimulatedToolCall(id: id, name: name, argumentChunks: argumentChunks)],
            usage: usage)))
    }

    /// An HTTP error; `retryAfter` sets the `Retry-After` header (whole seconds).
    public static func httpError(status: Int, type: String? = nil, message: String = "simulated error", retryAfter: Int? = nil)
        -> SimulatedReply
    {
        let errorType = type ?? defaultErrorType(status)
        return SimulatedReply(
            .error(status: status, type: errorType, message: message),
            headers: retryAfter.map { ["retry-after": String($0)] } ?? [:])
    }

    static func defaultErrorType(_ status: Int) -> String {
        switch status {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 429: return "rate_limit_error"
        case 529: return "overloaded_error"
        default: return "api_error"
        }
    }
}

/// A request as the simulator received it.
public struct SimulatorRequest: Sendable {
    public var method: String
    public var path: String
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data
    public var format: WireFormat?

    /// The parsed JSON body, when it is a JSON object.
    public var json: [String: any Sendable]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: any Sendable]
    }

    /// Whether the client asked for a stream (`"stream": true`).
    public var wantsStream: Bool { (json?["stream"] as? Bool) ?? false }

    /// The requested model.
    public var model: String? { json?["model"] as? String }

    /// OpenAI chat: whether `stream_options.include_usage` is set.
    public var wantsStreamUsage: Bool {
        ((json?["stream_options"] as? [String: Any])?["include_usage"] as? Bool) ?? false
    }
}
