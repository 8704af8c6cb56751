import Foundation
import LLMCostCore

/// Writes a tree of Claude Code transcripts shaped like real ones, for benchmarks and tests: per
/// session a main file and sub-agent files; user lines carrying long tool results (source text
/// with quotes, backslashes and newlines escaped), assistant responses written once per content
/// block with output growing, sub-agent requests relayed into the parent's progress lines,
/// `<synthetic>` notices. Fixed seed: the same tree every run.
///
/// It keeps the truth as it writes: `expected` is each billed request's final usage by
/// message id, computed from what was generated, not by reading the files back.
public struct SyntheticClaudeLogs {
    public struct Tree {
        public var files: [String] = []
        public var bytes: Int64 = 0
        public var lines = 0
        /// Final usage per billed request (message id).
        public var expected: [String: Usage] = [:]
    }

    private var random: SplitMix64
    private let filler: [UInt8]

    public init(seed: UInt64 = 42) {
        random = SplitMix64(seed: seed)
        // Source-like text, JSON-escaped: what tool results mostly are.
        let text = """
            func handle(_ request: Request) async throws -> Response {\\n    let body = try await request.body.collect(upTo: 1 << 20)\\n    guard let name = body.string(\\"name\\") else { throw Error.missing(\\"name\\") }\\n    return Response(status: .ok, body: \\"hello, \\\\(name)\\")\\n}\\n\\t// TODO: caching, see issue #42 \\u00e9\\u4e2d\\n
            """
        filler = Array(text.utf8)
    }

    /// Writes about `megabytes` of transcripts in `files` sessions under `directory`.
    public mutating func write(megabytes: Int, files: Int, under directory: String) throws -> Tree {
        var tree = Tree()
        let target = Int64(megabytes) << 20
        let perFile = max(target / Int64(max(files, 1)), 4096)
        for index in 0..<files {
            let project = "\(directory)/-home-dev-project\(index % 7)"
            let session = String(format: "%08x-0000-4000-8000-%012x", index, random.next() & 0xFFFF_FFFF_FFFF)
            try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
            var main: [UInt8] = []
            var subagent: [UInt8] = []
            var clock = 1_790_000_000_000 + Int64(index) * 3_600_000
            var turn = 0
            while Int64(main.count + subagent.count) < perFile {
                turn += 1
                clock += Int64(random.next() % 20_000) + 500
                appendUserLine(to: &main, session: session, index: index, clock: clock)
                let isSubagent = random.next() % 5 == 0
                let messageID = "msg_\(session.prefix(8))_\(turn)"
                let usage = Usage(
                    inputTokens: Int64(random.next() % 50) + 1, outputTokens: Int64(random.next() % 2000) + 10,
                    cacheReadTokens: Int64(random.next() % 150_000),
                    cacheWrite5mTokens: random.next() % 3 == 0 ? Int64(random.next() % 5000) : 0,
                    cacheWrite1hTokens: random.next() % 4 == 0 ? Int64(random.next() % 8000) : 0)
                tree.expected[messageID] = usage
                // One line per content block, output growing; the last has the final count.
                let blocks = Int(random.next() % 3) + 1
                for block in 1...blocks {
                    var partial = usage
                    partial.outputTokens = block == blocks ? usage.outputTokens : max(1, usage.outputTokens * Int64(block) / Int64(blocks + 2))
                    let line = assistantLine(
                        session: session, index: index, clock: clock + Int64(block), messageID: messageID,
                        requestID: "req_\(messageID)", usage: partial, agentID: isSubagent ? "a\(index)" : nil)
                    if isSubagent {
                        subagent += line
                        // The parent relays the sub-agent's message in a progress line.
                        main += progressLine(session: session, clock: clock + Int64(block), messageID: messageID, usage: partial, agentID: "a\(index)")
                        tree.lines += 2
                    } else {
                        main += line
                        tree.lines += 1
                    }
                }
                if random.next() % 50 == 0 {
                    main += Array("""
                        {"type":"assistant","sessionId":"\(session)","timestamp":"\(Timestamp.format(milliseconds: clock + 9))","isApiErrorMessage":true,"message":{"id":"\(UUID().uuidString)","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}\n
                        """.utf8)
                    tree.lines += 1
                }
                tree.lines += 1
            }
            let mainPath = project + "/" + session + ".jsonl"
            try Data(main).write(to: URL(fileURLWithPath: mainPath))
            tree.files.append(mainPath)
            tree.bytes += Int64(main.count)
            if !subagent.isEmpty {
                try FileManager.default.createDirectory(atPath: project + "/" + session + "/subagents", withIntermediateDirectories: true)
                let path = project + "/" + session + "/subagents/agent-a\(index).jsonl"
                try Data(subagent).write(to: URL(fileURLWithPath: path))
                tree.files.append(path)
                tree.bytes += Int64(subagent.count)
            }
        }
        return tree
    }

    private mutating func appendUserLine(to out: inout [UInt8], session: String, index: Int, clock: Int64) {
        out += Array("""
            {"parentUuid":"\(UUID().uuidString)","isSidechain":false,"userType":"external","cwd":"/home/dev/project\(index % 7)","sessionId":"\(session)","version":"2.1.45","gitBranch":"main","type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_\(random.next() % 1_000_000)","type":"tool_result","content":"
            """.utf8)
        // Whole copies of the escaped text, so no escape is cut in half.
        for _ in 0..<(Int(random.next() % 40) + 1) { out += filler }
        out += Array("""
            "}]},"uuid":"\(UUID().uuidString)","timestamp":"\(Timestamp.format(milliseconds: clock))","toolUseResult":{"stdout":"ok","stderr":"","interrupted":false}}\n
            """.utf8)
    }

    private func usageJSON(_ usage: Usage) -> String {
        """
        {"input_tokens":\(usage.inputTokens),"cache_creation_input_tokens":\(usage.cacheWriteTokens),"cache_read_input_tokens":\(usage.cacheReadTokens),"cache_creation":{"ephemeral_5m_input_tokens":\(usage.cacheWrite5mTokens),"ephemeral_1h_input_tokens":\(usage.cacheWrite1hTokens)},"output_tokens":\(usage.outputTokens),"service_tier":"standard"}
        """
    }

    private func assistantLine(
        session: String, index: Int, clock: Int64, messageID: String, requestID: String, usage: Usage, agentID: String?
    ) -> [UInt8] {
        let agent = agentID.map { "\"agentId\":\"\($0)\",\"isSidechain\":true," } ?? "\"isSidechain\":false,"
        return Array("""
            {"parentUuid":"\(UUID().uuidString)",\(agent)"userType":"external","cwd":"/home/dev/project\(index % 7)","sessionId":"\(session)","version":"2.1.45","gitBranch":"main","message":{"id":"\(messageID)","type":"message","role":"assistant","model":"\(agentID == nil ? "claude-sonnet-4-5" : "claude-haiku-4-5")","content":[{"type":"text","text":"Let me look at the handler and the tests.\\nThen I will change \\"handle\\" to stream the body."}],"stop_reason":null,"stop_sequence":null,"usage":\(usageJSON(usage))},"requestId":"\(requestID)","type":"assistant","uuid":"\(UUID().uuidString)","timestamp":"\(Timestamp.format(milliseconds: clock))"}\n
            """.utf8)
    }

    private func progressLine(session: String, clock: Int64, messageID: String, usage: Usage, agentID: String) -> [UInt8] {
        Array("""
            {"type":"progress","sessionId":"\(session)","timestamp":"\(Timestamp.format(milliseconds: clock))","parentToolUseID":"toolu_1","data":{"type":"agent_progress","agentId":"\(agentID)","prompt":"Find the handler","message":{"type":"assistant","requestId":"req_\(messageID)","timestamp":"\(Timestamp.format(milliseconds: clock))","message":{"id":"\(messageID)","model":"claude-haiku-4-5","role":"assistant","content":[{"type":"text","text":"Searching."}],"usage":\(usageJSON(usage))}}}}\n
            """.utf8)
    }
}
