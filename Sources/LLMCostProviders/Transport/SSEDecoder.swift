/// One server-sent event.
public struct SSEEvent: Sendable, Hashable {
    /// The `event:` field; `message` when the server sent none (the SSE default).
    public var event: String
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The last `id:` seen.
    public var id: String?
    /// A `retry:` reconnection time in milliseconds, when sent.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// Turns bytes of a `text/event-stream` into events, however the bytes are split.
///
/// A pure value type: feed it chunks as they arrive (`decode`), then call `finish()` at the end
/// of the stream. It follows the WHATWG rules: lines end in LF, CRLF or a lone CR (a CRLF split
/// across two chunks counts once); `:` starts a comment; one space after the colon is dropped;
/// several `data:` lines join with `\n`; a blank line dispatches. Unlike a browser it also
/// dispatches an event left without its final blank line at `finish()`, because real servers
/// (and the Anthropic transcripts) end the stream right after the last `data:` line.
public struct SSEDecoder: Sendable {
    private var line: [UInt8] = []
    private var lastByteWasCR = false
    private var eventType: String?
    private var dataLines: [String] = []
    private var hasData = false
    private var lastEventID: String?
    private var retry: Int?

    public init() {}

    /// Feeds the next bytes; returns the events they complete.
    public mutating func decode<Bytes: Collection>(_ bytes: Bytes) -> [SSEEvent] where Bytes.Element == UInt8 {
        var events: [SSEEvent] = []
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0A, lastByteWasCR, start == index, line.isEmpty {
                    // The LF of a CRLF whose CR ended the previous line (maybe in the last chunk).
                    lastByteWasCR = false
                    index = bytes.index(after: index)
                    start = index
                    continue
                }
                line.append(contentsOf: bytes[start..<index])
                if let event = processLine() { events.append(event) }
                line.removeAll(keepingCapacity: true)
                lastByteWasCR = byte == 0x0D
                index = bytes.index(after: index)
                start = index
            } else {
                lastByteWasCR = false
                index = bytes.index(after: index)
            }
        }
        line.append(contentsOf: bytes[start..<bytes.endIndex])
        return events
    }

    /// Ends the stream: processes a last line without its newline and dispatches a pending event.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty {
            if let event = processLine() { events.append(event) }
            line.removeAll()
        }
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func processLine() -> SSEEvent? {
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }  // a comment (keep-alive)
        let field: Substring
        var value: Substring
        let text = String(decoding: line, as: UTF8.self)
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "event": eventType = String(value)
        case "data":
            dataLines.append(String(value))
            hasData = true
        case "id" where !value.contains("\0"): lastEventID = String(value)
        case "retry": if let ms = Int(value) { retry = ms }
        default: break  // unknown fields are ignored, as the spec says
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventType = nil
            dataLines.removeAll(keepingCapacity: true)
            hasData = false
            retry = nil
        }
        guard hasData else { return nil }
        let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        return SSEEvent(event: type, data: dataLines.joined(separator: "\n"), id: lastEventID, retry: retry)
    }
}
