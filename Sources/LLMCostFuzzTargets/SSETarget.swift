import LLMCostProviders

extension FuzzTarget {
    /// The server-sent events decoder: however the bytes are split, the same events come out,
    /// and no field keeps a line terminator.
    public static let sse = FuzzTarget(
        name: "sse",
        seeds: [
            "event: ping\ndata: {\"a\":1}\n\nevent: done\ndata: x\n\n",
            "data: a\r\n\r\ndata: b\r\rdata: c\n\n",
            ": keep-alive\ndata: line one\ndata: line two\n: another\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}",
            "data:no-space\ndata:  two spaces\nid: 7\nretry: 1500\nevent\n\n",
            "\n\n\nevent: lonely\n\n",
            "id: a\u{0}b\ndata\n\nid\ndata: \u{FEFF}x\r\n\r\n",
        ],
        streamFormats: WireProtocol.allCases,
        body: { input throws(InvariantViolation) in try SSETarget.run(input) })
}

enum SSETarget {
    static func run(_ input: [UInt8]) throws(InvariantViolation) {
        let whole = decode([input[...]])
        for event in whole { try checkFields(event) }
        for lengths in Chunking.splits(of: input) {
            let chunked = decode(Chunking.pieces(of: input, lengths: lengths))
            guard chunked != whole else { continue }
            throw InvariantViolation(
                "sse: split into \(lengths.count) pieces the input decodes differently: "
                    + firstDifference(whole, chunked))
        }
    }

    static func decode(_ pieces: [ArraySlice<UInt8>]) -> [SSEEvent] {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        for piece in pieces { events += decoder.decode(piece) }
        return events + decoder.finish()
    }

    /// Line terminators end fields, so no field can hold a CR, and only `data` (whose lines are
    /// joined with LF) an LF.
    private static func checkFields(_ event: SSEEvent) throws(InvariantViolation) {
        let isTerminator = { (byte: UInt8) in byte == 0x0A || byte == 0x0D }
        guard !event.event.isEmpty, !event.event.utf8.contains(where: isTerminator) else {
            throw InvariantViolation("sse: an event name is empty or holds a line terminator: \(String(reflecting: event.event))")
        }
        guard !event.data.utf8.contains(0x0D) else {
            throw InvariantViolation("sse: event data holds a CR: \(String(reflecting: event.data))")
        }
        if let id = event.id, id.utf8.contains(where: { isTerminator($0) || $0 == 0 }) {
            throw InvariantViolation("sse: an event id holds a line terminator or NUL: \(String(reflecting: id))")
        }
    }
}
