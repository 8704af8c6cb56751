import Foundation
import LLMCost

/// Reads the usage of a response while its bytes are relayed, without changing them: a stream
/// (`text/event-stream`) through the adapters' own stream parsers, a whole body as the
/// adapters read usage. A pure value: feed it the bytes in any split, then `finish()`.
public struct UsageTap: Sendable {
    private var decoder: StreamDecoder?
    private var accumulator = ResponseAccumulator()
    private var body: [UInt8] = []
    private let wire: WireProtocol
    /// A whole body larger than this is not kept (its usage is then unknown).
    private static let bodyLimit = 16 << 20

    /// What the relayed response said, once finished.
    public struct Outcome: Sendable, Hashable {
        /// The provider's usage; `nil` when it reported none.
        public var usage: Usage?
        /// Output text seen in a stream (bounds a partial usage from below).
        public var receivedText: String
        /// The response's id (`msg_…`, `chatcmpl-…`, `resp_…`), when it said one.
        public var responseID: String?
        /// Whether the stream reached its end event (`false`: cut off, or an error event).
        public var completed: Bool
        /// Whether the stream carried an error event.
        public var failed: Bool
    }

    private var failed = false

    /// `streaming`: the response is an event stream (else one JSON body).
    public init(protocol wire: WireProtocol, provider: String, streaming: Bool) {
        self.wire = wire
        decoder = streaming ? StreamDecoder(protocol: wire, provider: provider) : nil
    }

    /// Whether the response is an event stream.
    public var streaming: Bool { decoder != nil }

    /// Whether content (text, reasoning, a tool call) has arrived: the time to first token.
    public var hasContent: Bool { accumulator.hasContent }

    /// Takes the next bytes of the response.
    public mutating func consume<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if var decoder {
            guard !failed else { return }
            var events: [StreamEvent] = []
            do {
                try decoder.decode(bytes, into: &events)
            } catch {
                failed = true
            }
            for event in events { accumulator.apply(event) }
            self.decoder = decoder
        } else if body.count + bytes.count <= Self.bodyLimit {
            body.append(contentsOf: bytes)
        } else {
            body = []
        }
    }

    /// The response ended: what it said.
    public mutating func finish() -> Outcome {
        if var decoder {
            var events: [StreamEvent] = []
            var cut = false
            if !failed {
                do { try decoder.finish(into: &events) } catch { cut = true }
            }
            for event in events { accumulator.apply(event) }
            return Outcome(
                usage: accumulator.lastUsage, receivedText: accumulator.text + accumulator.reasoning,
                responseID: accumulator.start.messageID, completed: !failed && !cut && accumulator.stopReason != nil, failed: failed)
        }
        let read = ResponseBodyUsage(body: body, protocol: wire)
        return Outcome(usage: read.usage, receivedText: "", responseID: read.responseID, completed: read.usage != nil, failed: false)
    }
}
