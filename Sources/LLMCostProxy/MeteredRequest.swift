import Foundation
import LLMCost

/// What the meter needs from a relayed request body: the model, whether it streams, its output
/// limit and the text it sends (for the input estimate). A pure value, read once from the
/// bytes the client sent; the bytes themselves go upstream unchanged.
public struct MeteredRequest: Sendable, Hashable {
    public var model: String
    public var stream: Bool
    /// `max_tokens` (Anthropic), `max_completion_tokens` or `max_tokens` (chat),
    /// `max_output_tokens` (Responses); `nil` when the request sets none.
    public var maxOutputTokens: Int?
    /// Every string the request sends as prompt (system, messages, input, tool definitions),
    /// joined: the meter estimates its tokens.
    public var promptText: String
    /// Whether the request sets `stream_options` (chat completions).
    public var hasStreamOptions: Bool
    /// Tokens sent as token ids (embeddings' and completions' `input`/`prompt` as integer
    /// arrays): one token each.
    public var tokenIDCount: Int
    /// Images sent (estimated as the meter estimates an image, not as the text of their data).
    public var imageCount: Int
    /// Whether the provider adds input it keeps (Responses' `previous_response_id` or
    /// `conversation`), and the response it continues, if named.
    public var continuesStoredState: Bool
    /// A Responses call run in the background (`background: true`): answered at once, queued,
    /// billed later; its usage is only in a later GET, so the proxy cannot meter it.
    public var runsInBackground: Bool
    public var previousResponseID: String?
    /// Completions generated per call: chat's `n`, the legacy completions' `best_of`; each may
    /// run to the output limit.
    public var choices: Int

    /// Reads `body` as a request of `wire`; `nil` when it is not a JSON object with a model.
    /// `pathModel`: the model the path names (Azure's deployment), which the upstream serves
    /// whatever the body says.
    public init?(body: [UInt8], protocol wire: WireProtocol, pathModel: String? = nil) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let model = pathModel ?? object["model"] as? String, !model.isEmpty
        else { return nil }
        self.model = model
        let choiceKeys = wire == .anthropicMessages ? [] : ["n", "best_of"]
        previousResponseID = wire == .openAIResponses ? object["previous_response_id"] as? String : nil
        runsInBackground = wire == .openAIResponses && object["background"] as? Bool == true
        continuesStoredState = wire == .openAIResponses && (previousResponseID != nil || object["conversation"] != nil)
        choices = min(128, max(1, choiceKeys.compactMap { (object[$0] as? NSNumber)?.intValue }.max() ?? 1))
        stream = object["stream"] as? Bool ?? false
        hasStreamOptions = object["stream_options"] != nil
        let limitKeys: [String] = switch wire {
        case .anthropicMessages: ["max_tokens"]
        case .openAIChat: ["max_completion_tokens", "max_tokens"]
        case .openAIResponses: ["max_output_tokens"]
        }
        // Clamped: no model writes 2^31 tokens, and the worst case multiplies this.
        maxOutputTokens = limitKeys.lazy.compactMap { (object[$0] as? NSNumber)?.intValue }.first.map { min(max(0, $0), Int(Int32.max)) }
        var pieces: [String] = []
        var images = 0
        // `prompt`: the legacy completions.
        for key in ["system", "instructions", "messages", "input", "prompt", "tools"] {
            if let value = object[key] { Self.collectStrings(value, into: &pieces, images: &images) }
        }
        promptText = pieces.joined(separator: "\n")
        imageCount = images
        var ids = 0
        for key in ["input", "prompt"] { if let value = object[key] { Self.countTokenIDs(value, into: &ids) } }
        tokenIDCount = ids
    }

    /// The `model` of a JSON body, if it is one: what a call the proxy cannot meter names.
    public static func model(in body: [UInt8]) -> String? {
        guard body.first == UInt8(ascii: "{"), let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return nil
        }
        return object["model"] as? String
    }

    /// Content parts that are images, in the three wire formats: Anthropic `image`, chat
    /// `image_url`, Responses `input_image`.
    private static let imagePartTypes: Set<String> = ["image", "image_url", "input_image"]

    /// The strings of a JSON value, depth first, with image parts counted apart (their base64
    /// data is no measure of their tokens). Other payloads (PDFs) count as the text they are:
    /// an over-estimate, the safe side for a worst case.
    private static func collectStrings(_ value: Any, into pieces: inout [String], images: inout Int) {
        switch value {
        case let text as String: pieces.append(text)
        case let array as [Any]: for item in array { collectStrings(item, into: &pieces, images: &images) }
        case let object as [String: Any]:
            if let type = object["type"] as? String, imagePartTypes.contains(type) {
                images += 1
                return
            }
            for key in object.keys.sorted() { collectStrings(object[key]!, into: &pieces, images: &images) }
        default: break
        }
    }

    /// The integers of a JSON value (token ids), at any depth.
    private static func countTokenIDs(_ value: Any, into count: inout Int) {
        switch value {
        case let array as [Any]:
            for item in array {
                if item is NSNumber { count += 1 } else { countTokenIDs(item, into: &count) }
            }
        default: break
        }
    }

    /// What the meter is told of the input: the request to estimate, or, when it sends token
    /// ids, their count plus at most a token per byte of its text (an upper bound).
    public var meterInput: Meter.CallInput {
        guard tokenIDCount > 0 else { return .request(estimateRequest) }
        return .counted(inputTokens: Int64(tokenIDCount + promptText.utf8.count), maxOutputTokens: maxOutputTokens)
    }

    /// The request as the meter estimates it: its prompt as one message with its images, its
    /// output limit.
    public var estimateRequest: ChatRequest {
        let images = Array(repeating: ContentPart.imageURL(""), count: imageCount)
        return ChatRequest(model: model, messages: [.user([.text(promptText)] + images)], maxTokens: maxOutputTokens)
    }
}

/// Who a relayed call is attributed to: `x-llm-cost-agent`, `x-llm-cost-session` and
/// `x-llm-cost-tags: key=value,key2=value2` (never forwarded upstream).
public struct ProxyAttribution: Sendable, Hashable {
    public static let agentHeader = "x-llm-cost-agent"
    public static let sessionHeader = "x-llm-cost-session"
    public static let tagsHeader = "x-llm-cost-tags"

    /// Reads the attribution headers (names lowercase); a tag without `=` is ignored.
    public static func context(headers: [(name: String, value: String)]) -> MeteringContext {
        var context = MeteringContext()
        for (name, value) in headers {
            switch name.lowercased() {
            case agentHeader: context.agent = value.isEmpty ? nil : value
            case sessionHeader: context.session = value.isEmpty ? nil : value
            case tagsHeader:
                for pair in value.split(separator: ",") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    let key = pair[..<equals].trimmingCharacters(in: .whitespaces)
                    let tagValue = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    if !key.isEmpty { context.tags[key] = tagValue }
                }
            default: break
            }
        }
        return context
    }

    /// Splits attribution carried in the base URL off a path: a first segment
    /// `@key=value,key=value` (`agent`, `session`, any other key a tag; values percent-encoded),
    /// for clients that can set a base URL but no headers:
    /// `OPENAI_BASE_URL=http://127.0.0.1:8787/@agent=codex,team=infra/v1`. Returns the context
    /// and the path without the segment; a path without one comes back whole.
    public static func splitPath(_ path: String) -> (context: MeteringContext, path: String) {
        guard path.hasPrefix("/@") else { return (MeteringContext(), path) }
        let afterAt = path.dropFirst(2)
        let end = afterAt.firstIndex(of: "/") ?? afterAt.endIndex
        var context = MeteringContext()
        for pair in afterAt[..<end].split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            guard let key = String(pair[..<equals]).removingPercentEncoding, !key.isEmpty,
                let value = String(pair[pair.index(after: equals)...]).removingPercentEncoding
            else { continue }
            switch key {
            case "agent": context.agent = value.isEmpty ? nil : value
            case "session": context.session = value.isEmpty ? nil : value
            default: context.tags[key] = value
            }
        }
        let rest = String(afterAt[end...])
        return (context, rest.isEmpty ? "/" : rest)
    }

    /// Whether a header is the proxy's own (removed before forwarding).
    public static func isOwnHeader(_ name: String) -> Bool {
        name.lowercased().hasPrefix("x-llm-cost-")
    }
}
