// Placeholders until the Codex and Gemini CLI decoders land (removed at their merge).
struct CodexRolloutDecoder: AgentLogLineDecoder {
    init(path: String, resumingFrom state: [UInt8]?) {}
    mutating func decode(line: UnsafeBufferPointer<UInt8>) -> AgentLogLine { .noUsage }
    var state: [UInt8]? { nil }
}

struct GeminiSessionDecoder: AgentLogLineDecoder {
    init(path: String, resumingFrom state: [UInt8]?) {}
    mutating func decode(line: UnsafeBufferPointer<UInt8>) -> AgentLogLine { .noUsage }
    var state: [UInt8]? { nil }
}
