import Testing
@testable import LLMCostProviders

@Suite struct SSEDecoderTests {
    /// Decodes `text` all at once and byte by byte; both must agree.
    private func decodeBothWays(_ text: String) -> [SSEEvent] {
        var whole = SSEDecoder()
        let allAtOnce = whole.decode(Array(text.utf8)) + whole.finish()
        var single = SSEDecoder()
        var byteByByte: [SSEEvent] = []
        for byte in text.utf8 { byteByByte += single.decode([byte]) }
        byteByByte += single.finish()
        #expect(allAtOnce == byteByByte)
        return allAtOnce
    }

    @Test func decodesNamedEvents() {
        let events = decodeBothWays("event: ping\ndata: {\"a\":1}\n\nevent: done\ndata: x\n\n")
        #expect(events == [SSEEvent(event: "ping", data: "{\"a\":1}"), SSEEvent(event: "done", data: "x")])
    }

    @Test func handlesCRLFAndLoneCR() {
        #expect(decodeBothWays("data: a\r\n\r\ndata: b\r\rdata: c\n\n").map(\.data) == ["a", "b", "c"])
    }

    @Test func skipsCommentsAndJoinsMultiLineData() {
        let events = decodeBothWays(": keep-alive\ndata: line one\ndata: line two\n: another\n\n")
        #expect(events == [SSEEvent(data: "line one\nline two")])
    }

    @Test func dispatchesTheLastEventWithoutAFinalNewline() {
        #expect(decodeBothWays("event: message_stop\ndata: {\"type\":\"message_stop\"}").map(\.event) == ["message_stop"])
        #expect(decodeBothWays("data: last\n").map(\.data) == ["last"])
    }

    @Test func keepsFieldValuesExactly() {
        let events = decodeBothWays("data:no-space\ndata:  two spaces\nid: 7\nretry: 1500\nevent\n\n")
        #expect(events == [SSEEvent(event: "message", data: "no-space\n two spaces", id: "7", retry: 1500)])
    }

    @Test func ignoresBlankLinesWithoutData() {
        #expect(decodeBothWays("\n\n\nevent: lonely\n\n").isEmpty)
    }

    @Test func everyTranscriptDecodesTheSameInAnyChunking() throws {
        for (name, text) in try anthropicTranscripts() {
            let events = decodeBothWays(text)
            #expect(events.first?.event == "message_start", "\(name)")
            #expect(events.last?.event == "message_stop", "\(name)")
            for size in [2, 7, 64] {
                var decoder = SSEDecoder()
                var chunked: [SSEEvent] = []
                let bytes = Array(text.utf8)
                for start in stride(from: 0, to: bytes.count, by: size) {
                    chunked += decoder.decode(bytes[start..<min(bytes.count, start + size)])
                }
                chunked += decoder.finish()
                #expect(chunked == events, "\(name) in chunks of \(size)")
            }
        }
    }
}
