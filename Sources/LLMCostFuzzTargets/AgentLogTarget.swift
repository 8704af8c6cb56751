import LLMCostAgentLogs
import LLMCostCore

extension FuzzTarget {
    /// The agent-log decoders (Claude Code, Codex, Gemini CLI), fed the input's lines. Whatever
    /// the bytes: a skipped line names a reason; a request has consistent counts, a request id,
    /// and its source's provider and agent; and a decoder resumed from its saved state after any
    /// line decodes the rest exactly as one that never stopped (what incremental imports rely
    /// on). A Gemini CLI document read whole is decoded too.
    public static let agentLogs = FuzzTarget(
        name: "agent-logs",
        seeds: [
            #"{"type":"assistant","sessionId":"s","timestamp":"2026-11-01T10:00:01.000Z","cwd":"/w","gitBranch":"main","version":"2.1.45","requestId":"req_1","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":3,"output_tokens":9,"cache_creation_input_tokens":1000,"cache_read_input_tokens":20000,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":1000},"server_tool_use":{"web_search_requests":2},"speed":"fast"}}}"#
                + "\n" + #"{"type":"progress","sessionId":"s","timestamp":"2026-11-01T10:00:05.000Z","data":{"type":"agent_progress","agentId":"a1","message":{"type":"assistant","requestId":"req_2","message":{"id":"msg_2","model":"claude-haiku-4-5","usage":{"input_tokens":100,"output_tokens":50}}}}}"#
                + "\n" + #"{"type":"assistant","isSidechain":true,"agentId":"a1","sessionId":"s","timestamp":"2026-11-01T10:00:06Z","message":{"id":"x","model":"<synthetic>","usage":{"input_tokens":0}}}"#,
            #"{"timestamp":"2026-03-01T10:00:00.000Z","type":"session_meta","payload":{"id":"c1","cwd":"/w","cli_version":"0.120.0","source":"cli","git":{"branch":"main"}}}"#
                + "\n" + #"{"timestamp":"2026-03-01T10:00:01.000Z","type":"turn_context","payload":{"model":"gpt-5-codex","cwd":"/w"}}"#
                + "\n" + #"{"timestamp":"2026-03-01T10:00:09.500Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":12127,"cached_input_tokens":6912,"output_tokens":623,"reasoning_output_tokens":454,"total_tokens":12750},"last_token_usage":{"input_tokens":12127,"cached_input_tokens":6912,"output_tokens":623,"reasoning_output_tokens":454,"total_tokens":12750}}}}"#
                + "\n" + #"{"timestamp":"2026-03-01T10:00:10.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{}}}"#
                + "\n" + #"{"timestamp":"2026-03-01T10:00:00.000Z","type":"session_meta","payload":{"id":"c2","forked_from_id":"c1","source":{"subagent":{"thread_spawn":{"parent_thread_id":"c1","depth":1}}}}}"#,
            #"{"sessionId":"g1","projectHash":"ab","startTime":"2026-05-22T14:59:00.000Z","lastUpdated":"2026-05-22T14:59:00.000Z","kind":"main"}"#
                + "\n" + #"{"id":"m2","timestamp":"2026-05-22T14:59:07.000Z","type":"gemini","content":[{"text":"hello"}],"tokens":{"input":8120,"output":45,"cached":6000,"thoughts":210,"tool":3,"total":8378},"model":"gemini-2.5-pro"}"#
                + "\n" + #"{"$set":{"lastUpdated":"2026-05-22T14:59:07.100Z","messages":[{"id":"m3","type":"gemini","timestamp":"2026-05-22T15:00:00Z","tokens":{"input":1,"output":1}}]}}"#
                + "\n" + #"{"$rewindTo":"m2"}"#,
            "{\n  \"sessionId\": \"g2\",\n  \"messages\": [\n    {\"id\": \"a\", \"type\": \"gemini\", \"timestamp\": \"2026-01-01T00:00:00Z\", \"model\": \"gemini-3-pro-preview\", \"tokens\": {\"input\": 10, \"output\": 2, \"cached\": 4, \"thoughts\": 1, \"tool\": 0}}\n  ]\n}",
        ],
        body: { input throws(InvariantViolation) in try AgentLogTarget.run(input) })
}

enum AgentLogTarget {
    /// What a decoder said of one line, comparable across runs.
    typealias Outcome = AgentLogLine

    static func run(_ input: [UInt8]) throws(InvariantViolation) {
        let lines = JSONLTarget.expectedLines(input)
        let split = lines.isEmpty ? 0 : Int(Chunking.fingerprint(input) % UInt64(lines.count + 1))
        for source in AgentLogSource.allCases {
            let path = "/fuzz/\(source.rawValue)/chats/session-1.jsonl"
            var whole = source.makeDecoder(path: path, state: nil)
            let straight = lines.map { line in line.withUnsafeBufferPointer { whole.decode(line: $0) } }
            var first = source.makeDecoder(path: path, state: nil)
            var resumed = lines[..<split].map { line in line.withUnsafeBufferPointer { first.decode(line: $0) } }
            var second = source.makeDecoder(path: path, state: first.state)
            resumed += lines[split...].map { line in line.withUnsafeBufferPointer { second.decode(line: $0) } }
            guard resumed == straight else {
                throw InvariantViolation("agent-logs: \(source.rawValue) resumed after line \(split) decodes differently")
            }
            for outcome in straight { try check(outcome, source: source) }
            var document = source.makeDecoder(path: "/fuzz/chats/session-1.json", state: nil)
            try check(input.withUnsafeBufferPointer { document.decode(line: $0) }, source: source)
        }
    }

    static func check(_ outcome: Outcome, source: AgentLogSource) throws(InvariantViolation) {
        switch outcome {
        case .noUsage: return
        case .skipped(let reason):
            guard !reason.isEmpty else { throw InvariantViolation("agent-logs: \(source.rawValue) skipped a line without a reason") }
        case .request(let record): try check(record, source: source)
        case .requests(let records): for record in records { try check(record, source: source) }
        }
    }

    static func check(_ record: CallRecord, source: AgentLogSource) throws(InvariantViolation) {
        if let problem = record.usage.inconsistency {
            throw InvariantViolation("agent-logs: \(source.rawValue) made a request with inconsistent counts: \(problem)")
        }
        guard let id = record.requestID, !id.isEmpty else {
            throw InvariantViolation("agent-logs: \(source.rawValue) made a request without a request id")
        }
        guard record.provider == source.provider, record.agent == source.agentName, !record.model.isEmpty else {
            throw InvariantViolation("agent-logs: \(source.rawValue) made a request as \(record.provider)/\(record.agent ?? "-")/\(record.model)")
        }
    }
}
