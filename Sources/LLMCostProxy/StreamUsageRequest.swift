import Foundation

/// OpenAI chat streams carry usage only when the request sets `stream_options.include_usage`;
/// most clients do not. The proxy asks for it on their behalf, then removes the usage-only
/// chunk it added from what they receive (a client that did not ask can fail on a chunk with
/// no choices). Both are pure byte functions.
public enum StreamUsageRequest {
    /// The body with `"stream_options":{"include_usage":true}` added as its first member, the
    /// rest byte for byte; `nil` when it is not needed or not possible (not a streamed request,
    /// or `stream_options` already present: the client's own choice stands).
    public static func addingIncludeUsage(to body: [UInt8], request: MeteredRequest) -> [UInt8]? {
        guard request.stream, !request.hasStreamOptions,
            let open = body.firstIndex(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }), body[open] == UInt8(ascii: "{")
        else { return nil }
        var rewritten = Array(body[...open])
        rewritten += Array(#""stream_options":{"include_usage":true},"#.utf8)
        rewritten += body[body.index(after: open)...]
        return rewritten
    }
}

/// Removes, from a chat completions event stream, the usage-only chunk (`"choices":[]` with a
/// `usage` object) that `StreamUsageRequest` asked for; every other event passes unchanged, each
/// as soon as its blank line arrives.
public struct UsageChunkRemover: Sendable {
    private var pending: [UInt8] = []
    /// Where the search for the next blank line resumes: bytes before it were searched already
    /// (a long event arriving in many pieces is searched once, not once per piece).
    private var searched = 0

    public init() {}

    /// Takes the next bytes; returns the bytes to send on (whole events).
    public mutating func pass<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var out: [UInt8] = []
        var start = 0
        var index = searched
        while index + 1 < pending.count {
            // An event ends at a blank line: LF LF, or CR LF CR LF.
            var end: Int?
            if pending[index] == 0x0A && pending[index + 1] == 0x0A {
                end = index + 2
            } else if index + 3 < pending.count, pending[index] == 0x0D, pending[index + 1] == 0x0A, pending[index + 2] == 0x0D,
                pending[index + 3] == 0x0A
            {
                end = index + 4
            }
            guard let end else {
                index += 1
                continue
            }
            let event = pending[start..<end]
            if !Self.isUsageOnlyChunk(event) { out += event }
            start = end
            index = end
        }
        pending.removeFirst(start)
        // A blank line may begin in the last three bytes and end in the next piece.
        searched = max(0, min(index - start, pending.count - 3))
        return out
    }

    /// The end of the stream: what is left (an unterminated last event) goes on as it is.
    public mutating func finish() -> [UInt8] {
        defer {
            pending = []
            searched = 0
        }
        return pending
    }

    /// `data: {... "choices":[] ... "usage":{...}}`: a chunk with no choices and a usage object.
    static func isUsageOnlyChunk(_ event: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: event, as: UTF8.self)
        guard text.contains("\"usage\""), text.contains("\"choices\"") else { return false }
        var data = ""
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" })
        where line.hasPrefix("data:") {
            data += line.dropFirst(5).drop { $0 == " " }
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
            let choices = json["choices"] as? [Any], choices.isEmpty, json["usage"] is [String: Any]
        else { return false }
        return true
    }
}
