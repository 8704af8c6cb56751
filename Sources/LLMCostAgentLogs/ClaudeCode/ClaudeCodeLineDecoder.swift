import Foundation
import LLMCostCore

/// Reads Claude Code transcripts (`~/.claude/projects/<project>/<session>.jsonl`, sub-agents
/// under `<session>/subagents/agent-*.jsonl`): one JSON object per line.
///
/// Usage is on `type: "assistant"` lines (`message.usage`) and, for a sub-agent's requests, on
/// the parent's `type: "progress"` lines whose `data.type` is `agent_progress`
/// (`data.message.message.usage`). The rules that make totals right:
///
/// - One API response is written as several lines (one per content block, or streaming
///   snapshots) with the same `message.id`: input and cache counts equal, output growing. All
///   carry the same request id here, and the ledger keeps the copy with the most tokens.
/// - The request id is `message.id` (unique per API response) when the line has a `requestId`,
///   the sign of Anthropic's API; gateways that omit `requestId` may reuse ids across sessions,
///   so there it is `<session>/<message.id>`. A `/btw` side question replays a parent message
///   under the same `message.id` with a new `requestId`: the same request, not billed again.
///   A sub-agent's request in its own file and in its parent's progress line: the same too.
/// - `model: "<synthetic>"` and `isApiErrorMessage` lines are client-side notices, not billed.
/// - Cache writes are split by TTL in `cache_creation` (1 h writes cost 2x input, 5 m 1.25x);
///   older logs have only `cache_creation_input_tokens`, which are 5-minute writes.
/// - `usage.speed == "fast"` is fast mode: the call is tagged `service_tier=fast`.
///
/// Attribution: agent `claude-code`, session `sessionId`, tags `project` (`cwd`), `branch`
/// (`gitBranch`), `agent_version` (`version`), `subagent` (the sub-agent's id, for its
/// requests) and `source` (the log file).
public struct ClaudeCodeLineDecoder: AgentLogLineDecoder {
    private let path: String

    public init(path: String, resumingFrom state: [UInt8]?) {
        self.path = path
    }

    public var state: [UInt8]? { nil }

    public mutating func decode(line: UnsafeBufferPointer<UInt8>) -> AgentLogLine {
        var fields = LineFields()
        if let reason = LogField.readLine(line, { scanner, key in try fields.read(key: key, from: &scanner) }) {
            return .skipped(reason: reason)
        }
        return fields.outcome(path: path)
    }
}

/// The fields of one line that matter, wherever they appear in it.
private struct LineFields {
    var type: String?
    var sessionID: String?
    var timestamp: String?
    var cwd: String?
    var gitBranch: String?
    var version: String?
    var agentID: String?
    var requestID: String?
    var isSidechain = false
    var isAPIError = false
    var message = MessageFields()
    /// `data` of a progress line.
    var dataType: String?
    var dataAgentID: String?
    var progress = ProgressFields()

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "type") { type = try LogField.string(&scanner) }
        else if LogField.key(key, is: "sessionId") { sessionID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "timestamp") { timestamp = try LogField.string(&scanner) }
        else if LogField.key(key, is: "cwd") { cwd = try LogField.string(&scanner) }
        else if LogField.key(key, is: "gitBranch") { gitBranch = try LogField.string(&scanner) }
        else if LogField.key(key, is: "version") { version = try LogField.string(&scanner) }
        else if LogField.key(key, is: "agentId") { agentID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "requestId") { requestID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "isSidechain") { isSidechain = try LogField.flag(&scanner) }
        else if LogField.key(key, is: "isApiErrorMessage") { isAPIError = try LogField.flag(&scanner) }
        else if LogField.key(key, is: "message") {
            try LogField.object(&scanner) { scanner, key in try message.read(key: key, from: &scanner) }
        } else if LogField.key(key, is: "data") {
            try LogField.object(&scanner) { scanner, key in
                if LogField.key(key, is: "type") { dataType = try LogField.string(&scanner) }
                else if LogField.key(key, is: "agentId") { dataAgentID = try LogField.string(&scanner) }
                else if LogField.key(key, is: "message") {
                    try LogField.object(&scanner) { scanner, key in try progress.read(key: key, from: &scanner) }
                } else { try scanner.skipValue() }
            }
        } else {
            try scanner.skipValue()
        }
    }

    func outcome(path: String) -> AgentLogLine {
        switch type {
        case "assistant":
            return request(
                message: message, requestID: requestID, timestamp: timestamp, isAPIError: isAPIError,
                subagent: isSidechain ? agentID : nil, path: path)
        case "progress" where dataType == "agent_progress":
            // A sub-agent's message relayed into its parent's log: counted once with its own copy.
            guard progress.type == nil || progress.type == "assistant", progress.message.usage != nil else { return .noUsage }
            return request(
                message: progress.message, requestID: progress.requestID, timestamp: progress.timestamp ?? timestamp,
                isAPIError: progress.isAPIError, subagent: dataAgentID ?? progress.agentID ?? "unknown", path: path)
        default:
            return .noUsage
        }
    }

    private func request(
        message: MessageFields, requestID: String?, timestamp: String?, isAPIError: Bool, subagent: String?, path: String
    ) -> AgentLogLine {
        if isAPIError || message.model == "<synthetic>" { return .noUsage }
        guard let usage = message.usage else { return .skipped(reason: "an assistant message without usage") }
        // All zeros: a message the client wrote itself (an abort notice), nothing billed.
        if usage.usage.totalTokens == 0 && usage.webSearch == 0 && usage.webFetch == 0 { return .noUsage }
        guard let model = message.model, !model.isEmpty else { return .skipped(reason: "an assistant message without a model") }
        guard let timestamp, let milliseconds = Timestamp.parseMilliseconds(timestamp) else {
            return .skipped(reason: timestamp.map { "timestamp \"\($0)\" is not an ISO 8601 time" } ?? "no timestamp")
        }
        let key: String
        switch (message.id, requestID) {
        case (let id?, _?) where !id.isEmpty: key = id
        case (let id?, nil) where !id.isEmpty: key = (sessionID ?? "") + "/" + id
        case (_, let request?) where !request.isEmpty: key = request
        default: return .skipped(reason: "an assistant message without message.id or requestId")
        }
        var record = CallRecord(timestamp: Date(timeIntervalSince1970: 0), provider: "anthropic", model: model)
        record.epochMilliseconds = milliseconds
        record.agent = AgentLogSource.claudeCode.agentName
        record.session = sessionID.flatMap { $0.isEmpty ? nil : $0 }
        record.requestID = key
        record.usage = usage.usage
        var tags: [String: String] = ["source": path]
        if let cwd, !cwd.isEmpty { tags["project"] = cwd }
        if let gitBranch, !gitBranch.isEmpty { tags["branch"] = gitBranch }
        if let version, !version.isEmpty { tags["agent_version"] = version }
        if let subagent, !subagent.isEmpty { tags["subagent"] = subagent }
        if usage.speed == "fast" { tags["service_tier"] = "fast" }
        record.tags = tags
        return .request(record)
    }
}

/// `message` of an assistant line.
private struct MessageFields {
    var id: String?
    var model: String?
    var usage: UsageFields?

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "id") { id = try LogField.string(&scanner) }
        else if LogField.key(key, is: "model") { model = try LogField.string(&scanner) }
        else if LogField.key(key, is: "usage") {
            var fields = UsageFields()
            var isObject = false
            try LogField.object(&scanner) { scanner, key in
                isObject = true
                try fields.read(key: key, from: &scanner)
            }
            if isObject { usage = fields }
        } else {
            try scanner.skipValue()
        }
    }
}

/// `data.message` of an `agent_progress` line: the sub-agent's line, nested.
private struct ProgressFields {
    var type: String?
    var requestID: String?
    var timestamp: String?
    var agentID: String?
    var isAPIError = false
    var message = MessageFields()

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "type") { type = try LogField.string(&scanner) }
        else if LogField.key(key, is: "requestId") { requestID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "timestamp") { timestamp = try LogField.string(&scanner) }
        else if LogField.key(key, is: "agentId") { agentID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "isApiErrorMessage") { isAPIError = try LogField.flag(&scanner) }
        else if LogField.key(key, is: "message") {
            try LogField.object(&scanner) { scanner, key in try message.read(key: key, from: &scanner) }
        } else {
            try scanner.skipValue()
        }
    }
}

/// `message.usage`, Anthropic's usage object as Claude Code logs it.
private struct UsageFields {
    var input: Int64 = 0
    var output: Int64 = 0
    var cacheRead: Int64 = 0
    var cacheCreation: Int64 = 0
    var cacheWrite5m: Int64?
    var cacheWrite1h: Int64?
    var webSearch: Int64 = 0
    var webFetch: Int64 = 0
    var speed: String?

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "input_tokens") { input = try LogField.count(&scanner, "usage.input_tokens") }
        else if LogField.key(key, is: "output_tokens") { output = try LogField.count(&scanner, "usage.output_tokens") }
        else if LogField.key(key, is: "cache_read_input_tokens") { cacheRead = try LogField.count(&scanner, "usage.cache_read_input_tokens") }
        else if LogField.key(key, is: "cache_creation_input_tokens") {
            cacheCreation = try LogField.count(&scanner, "usage.cache_creation_input_tokens")
        } else if LogField.key(key, is: "cache_creation") {
            try LogField.object(&scanner) { scanner, key in
                if LogField.key(key, is: "ephemeral_5m_input_tokens") {
                    cacheWrite5m = try LogField.count(&scanner, "usage.cache_creation.ephemeral_5m_input_tokens")
                } else if LogField.key(key, is: "ephemeral_1h_input_tokens") {
                    cacheWrite1h = try LogField.count(&scanner, "usage.cache_creation.ephemeral_1h_input_tokens")
                } else {
                    try scanner.skipValue()
                }
            }
        } else if LogField.key(key, is: "server_tool_use") {
            try LogField.object(&scanner) { scanner, key in
                if LogField.key(key, is: "web_search_requests") {
                    webSearch = try LogField.count(&scanner, "usage.server_tool_use.web_search_requests")
                } else if LogField.key(key, is: "web_fetch_requests") {
                    webFetch = try LogField.count(&scanner, "usage.server_tool_use.web_fetch_requests")
                } else {
                    try scanner.skipValue()
                }
            }
        } else if LogField.key(key, is: "speed") {
            speed = try LogField.string(&scanner)
        } else {
            try scanner.skipValue()
        }
    }

    /// The ledger's usage. Writes split by TTL where the log splits them; what the split does
    /// not cover of `cache_creation_input_tokens` (older logs have no split) is 5-minute writes.
    var usage: Usage {
        let split1h = cacheWrite1h ?? 0
        let split5m = cacheWrite5m ?? 0
        let unsplit = max(0, cacheCreation - split1h - split5m)
        return Usage(
            inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead,
            cacheWrite5mTokens: split5m + unsplit, cacheWrite1hTokens: split1h,
            webSearchRequests: webSearch, webFetchRequests: webFetch)
    }
}
