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
        // Generic code called from another module runs unspecialized, byte by byte through
        // witness tables; scanning a contiguous buffer instead is an order of magnitude faster.
        if let events = bytes.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return events }
        return Array(bytes).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    private mutating func decode(buffer: UnsafeBufferPointer<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var start = 0
        var index = 0
        let count = buffer.count
        while index < count {
            let byte = buffer[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            if byte == 0x0A, lastByteWasCR, start == index, line.isEmpty {
                // The LF of a CRLF whose CR ended the previous line (maybe in the last chunk).
                lastByteWasCR = false
                index += 1
                start = index
                continue
            }
            let event: SSEEvent?
            if line.isEmpty {
                event = processLine(UnsafeBufferPointer(rebasing: buffer[start..<index]))
            } else {
                // Move the pending bytes out first: reading `line` while `processLine` mutates
                // `self` would be overlapping access.
                var whole = line
                line = []
                whole.append(contentsOf: buffer[start..<index])
                event = whole.withUnsafeBufferPointer { processLine($0) }
            }
            if let event { events.append(event) }
            lastByteWasCR = byte == 0x0D
            index += 1
            start = index
        }
        if start < count {
            lastByteWasCR = false
            line.append(contentsOf: buffer[start..<count])
        }
        return events
    }

    /// Ends the stream: processes a last line without its newline and dispatches a pending event.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty {
            let last = line
            line.removeAll()
            if let event = last.withUnsafeBufferPointer({ processLine($0) }) { events.append(event) }
        }
        if let event = dispatch() { events.append(event) }
        return events
    }

    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>) -> SSEEvent? {
        if line.isEmpty { return dispatch() }
        if line[0] == Self.colon { return nil }  // a comment (keep-alive)
        var fieldEnd = 0
        while fieldEnd < line.count, line[fieldEnd] != Self.colon { fieldEnd += 1 }
        var valueStart = min(fieldEnd + 1, line.count)
        if valueStart < line.count, line[valueStart] == Self.space { valueStart += 1 }
        let field = UnsafeBufferPointer(rebasing: line[0..<fieldEnd])
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<line.count])
        if field.elementsEqual("data".utf8) {
            dataLines.append(String(decoding: value, as: UTF8.self))
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if field.elementsEqual("retry".utf8) {
            if let ms = Int(String(decoding: value, as: UTF8.self)) { retry = ms }
        }
        // Unknown fields are ignored, as the spec says.
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
        let data = dataLines.count == 1 ? dataLines[0] : dataLines.joined(separator: "\n")
        return SSEEvent(event: type, data: data, id: lastEventID, retry: retry)
    }
}
