import Foundation
import LLMCostProviders
import LLMCostProxy

extension FuzzTarget {
    /// The proxy's reading of a request (first line the path, the rest the body): a normalized
    /// path is a fixed point with no empty, `.` or `..` segment; reading the body for the meter
    /// never fails but by `nil`; the `include_usage` rewrite is the client's JSON object with
    /// `stream_options` added and nothing else changed.
    public static let proxyRequest = FuzzTarget(
        name: "proxy-request",
        seeds: [
            "/v1/chat/completions\n{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "/v1/%63hat/./completions/\n {\"model\":\"m\",\"stream\":true,\"n\":3,\"max_tokens\":5}",
            "/v1/x/../messages\n{\"model\":\"claude\",\"max_tokens\":10,\"system\":[{\"type\":\"text\",\"text\":\"s\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"data\":\"QUFB\"}}]}]}",
            "/openai/deployments/dep/chat/completions\n{\"stream\":true,\"stream_options\":{\"include_usage\":false}}",
            "/v1/chat%2Fcompletions\n{\"model\":\"\\u00e9\",\"input\":[{\"type\":\"input_image\",\"image_url\":\"https://x\"}]}",
            "/../%ZZ//\n[1,2]",
        ],
        body: { input throws(InvariantViolation) in try ProxyTargets.request(input) })

    /// The remover of the usage-only chunk the proxy asked for: however the stream is split,
    /// the same bytes reach the client, and a stream without such a chunk reaches it unchanged.
    public static let proxyUsageChunk = FuzzTarget(
        name: "proxy-usage-chunk",
        seeds: [
            "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\ndata: [DONE]\n\n",
            "data: {\"choices\":[],\"usage\":{}}\r\n\r\ndata: {\"choices\":[]}\r\n\r\n",
            ": ping\n\ndata: {\"choices\":[],\n\"usage\":null}\n\ndata: tail",
        ],
        streamFormats: [.openAIChat],
        body: { input throws(InvariantViolation) in try ProxyTargets.usageChunk(input) })
}

enum ProxyTargets {
    static func request(_ input: [UInt8]) throws(InvariantViolation) {
        let newline = input.firstIndex(of: 0x0A) ?? input.endIndex
        let path = String(decoding: input[..<newline], as: UTF8.self)
        let body = Array(input[min(input.endIndex, newline + 1)...])
        if let normalized = ProxyPath.normalize(path) {
            guard ProxyPath.normalize(normalized) == normalized else {
                throw InvariantViolation("proxy-request: \(String(reflecting: normalized)) normalizes again to something else")
            }
            let segments = normalized.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            if segments.dropLast().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) || segments.last == "." || segments.last == ".." {
                throw InvariantViolation("proxy-request: \(String(reflecting: normalized)) keeps an empty, . or .. segment")
            }
            _ = ProxyRoute.resolve(path: normalized, providerTypes: ["anthropic": "anthropic", "openai": "openai", "az": "azure"])
        }
        for wire in WireProtocol.allCases {
            guard let request = MeteredRequest(body: body, protocol: wire, pathModel: nil) else { continue }
            guard request.choices >= 1, request.imageCount >= 0, (request.maxOutputTokens ?? 0) >= 0 else {
                throw InvariantViolation("proxy-request: a negative count in \(request)")
            }
            guard wire == .openAIChat, let rewritten = StreamUsageRequest.addingIncludeUsage(to: body, request: request) else { continue }
            guard let original = try? JSONSerialization.jsonObject(with: Data(body)) as? NSDictionary,
                let changed = (try? JSONSerialization.jsonObject(with: Data(rewritten)) as? NSDictionary)?.mutableCopy() as? NSMutableDictionary
            else {
                throw InvariantViolation("proxy-request: the include_usage rewrite is not a JSON object: \(String(decoding: rewritten, as: UTF8.self))")
            }
            guard (changed["stream_options"] as? NSDictionary)?["include_usage"] as? Bool == true else {
                throw InvariantViolation("proxy-request: the rewrite does not ask for usage")
            }
            changed.removeObject(forKey: "stream_options")
            // A duplicated key in the client's body may now read differently: JSON leaves that open.
            guard changed.isEqual(original) || original["stream_options"] != nil else {
                throw InvariantViolation("proxy-request: the rewrite changed the client's other fields")
            }
        }
    }

    static func usageChunk(_ input: [UInt8]) throws(InvariantViolation) {
        let whole = remove([input[...]])
        for lengths in Chunking.splits(of: input) {
            let chunked = remove(Chunking.pieces(of: input, lengths: lengths))
            guard chunked == whole else {
                throw InvariantViolation("proxy-usage-chunk: split into \(lengths.count) pieces, other bytes pass: " + firstDifference(whole, chunked))
            }
        }
        if whole.count == input.count, whole != input {
            throw InvariantViolation("proxy-usage-chunk: nothing was removed, yet the bytes changed")
        }
    }

    static func remove(_ pieces: [ArraySlice<UInt8>]) -> [UInt8] {
        var remover = UsageChunkRemover()
        var out: [UInt8] = []
        for piece in pieces { out += remover.pass(piece) }
        return out + remover.finish()
    }
}
