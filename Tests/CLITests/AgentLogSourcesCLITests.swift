import Foundation
import Testing

/// `llm-cost import --from all` on Codex and Gemini CLI logs in their default places
/// (`$CODEX_HOME`, `~/.gemini/tmp`), run as a user would. Expected totals are worked out here
/// from the numbers written, not by reading the files back.
@Suite struct AgentLogSourcesCLITests {
    static func codexLine(_ time: String, _ type: String, _ payload: String) -> String {
        #"{"timestamp":"\#(time)","type":"\#(type)","payload":\#(payload)}"#
    }

    static func tokenCount(_ time: String, total: (Int, Int, Int, Int), last: (Int, Int, Int, Int)) -> String {
        func usage(_ u: (Int, Int, Int, Int)) -> String {
            #"{"input_tokens":\#(u.0),"cached_input_tokens":\#(u.1),"output_tokens":\#(u.2),"reasoning_output_tokens":\#(u.3),"total_tokens":\#(u.0 + u.2)}"#
        }
        return codexLine(time, "event_msg", #"{"type":"token_count","info":{"total_token_usage":\#(usage(total)),"last_token_usage":\#(usage(last)),"model_context_window":272000},"rate_limits":null}"#)
    }

    @Test func importsCodexAndGeminiFromTheirDefaultPlacesExactly() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let codexHome = home.appendingPathComponent("codex-home")
        let day = codexHome.appendingPathComponent("sessions/2026/11/20")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        let parentMeta = Self.codexLine("2026-11-20T10:00:00.000Z", "session_meta",
            #"{"id":"P","timestamp":"2026-11-20T10:00:00.000Z","cwd":"/src/api","originator":"codex_cli_rs","cli_version":"0.120.0","source":"cli","git":{"branch":"feat"}}"#)
        let turn = Self.codexLine("2026-11-20T10:00:01.000Z", "turn_context", #"{"model":"gpt-5.1-codex","cwd":"/src/api"}"#)
        let first = Self.tokenCount("2026-11-20T10:00:05.000Z", total: (12_000, 6_000, 500, 300), last: (12_000, 6_000, 500, 300))
        let second = Self.tokenCount("2026-11-20T10:01:00.000Z", total: (30_000, 20_000, 900, 400), last: (18_000, 14_000, 400, 100))
        let parent = [
            parentMeta, turn, first,
            // Re-emitted unchanged, and a heartbeat: nothing billed.
            first, Self.codexLine("2026-11-20T10:00:06.000Z", "event_msg", #"{"type":"token_count","info":null,"rate_limits":{"primary":{"used_percent":3}}}"#),
            second,
        ]
        try (parent.joined(separator: "\n") + "\n").write(to: day.appendingPathComponent("rollout-2026-11-20T10-00-00-P.jsonl"), atomically: true, encoding: .utf8)
        // A fork replays the parent's history (its meta, turns and token counts), then goes on.
        let fork = [
            Self.codexLine("2026-11-20T11:00:00.000Z", "session_meta", #"{"id":"F","forked_from_id":"P","cwd":"/src/api","cli_version":"0.120.0","source":"cli"}"#),
            parentMeta, turn, first, second,
            Self.codexLine("2026-11-20T11:00:02.000Z", "turn_context", #"{"model":"gpt-5.1-codex-mini"}"#),
            Self.tokenCount("2026-11-20T11:00:09.000Z", total: (41_000, 28_000, 1_100, 450), last: (11_000, 8_000, 200, 50)),
        ]
        try (fork.joined(separator: "\n") + "\n").write(to: day.appendingPathComponent("rollout-2026-11-20T11-00-00-F.jsonl"), atomically: true, encoding: .utf8)

        // Gemini CLI: a legacy session document and the JSONL copy a resume made of it, plus a
        // message re-appended once its tokens arrived.
        let chats = home.appendingPathComponent(".gemini/tmp/web/chats")
        try FileManager.default.createDirectory(at: chats, withIntermediateDirectories: true)
        try "/src/web".write(to: home.appendingPathComponent(".gemini/tmp/web/.project_root"), atomically: true, encoding: .utf8)
        let g1 = #"{"id":"g1","timestamp":"2026-11-21T09:00:05.000Z","type":"gemini","content":[{"text":"hi"}],"model":"gemini-2.5-pro","tokens":{"input":8000,"output":40,"cached":6000,"thoughts":200,"tool":10,"total":8250}}"#
        let legacy = """
            {
              "sessionId": "GS",
              "projectHash": "abc",
              "startTime": "2026-11-21T09:00:00.000Z",
              "lastUpdated": "2026-11-21T09:00:05.000Z",
              "messages": [
                {"id": "u1", "timestamp": "2026-11-21T09:00:00.000Z", "type": "user", "content": "hello"},
                \(g1)
              ]
            }
            """
        try legacy.write(to: chats.appendingPathComponent("session-2026-11-21T09-00-GS.json"), atomically: true, encoding: .utf8)
        let jsonl = [
            #"{"sessionId":"GS","projectHash":"abc","startTime":"2026-11-21T09:00:00.000Z","lastUpdated":"2026-11-21T09:00:05.000Z","kind":"main"}"#,
            g1,
            #"{"id":"g2","timestamp":"2026-11-21T09:05:00.000Z","type":"gemini","content":[{"text":"..."}],"model":"gemini-2.5-flash","tokens":null}"#,
            #"{"id":"g2","timestamp":"2026-11-21T09:05:00.000Z","type":"gemini","content":[{"text":"done"}],"model":"gemini-2.5-flash","tokens":{"input":3000,"output":100,"cached":0,"thoughts":0,"tool":0,"total":3100}}"#,
            #"{"$set":{"lastUpdated":"2026-11-21T09:05:01.000Z"}}"#,
        ]
        try (jsonl.joined(separator: "\n") + "\n").write(to: chats.appendingPathComponent("session-2026-11-21T09-00-GS.jsonl"), atomically: true, encoding: .utf8)

        let imported = try await CLIRunner.run(["import", "--from", "all"], home: home, environment: ["CODEX_HOME": codexHome.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("codex: 2 files (2 new or changed), 13 lines read, 3 requests recorded (2 duplicates collapsed)"), "\(imported.stdout)")
        #expect(imported.stdout.contains("gemini: 2 files (2 new or changed), 6 lines read, 2 requests recorded (1 duplicate collapsed)"), "\(imported.stdout)")
        #expect(imported.stdout.contains("claude-code: 0 files"), "\(imported.stdout)")

        let report = try await CLIRunner.run(["report", "--by", "agent", "--format", "json"], home: home)
        let rows = (try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        func row(_ agent: String) -> [String: Any] {
            rows.first { ($0["key"] as? [String: Any])?["agent"] as? String == agent } ?? [:]
        }
        // Codex: the fork's new step only (41,000-30,000 input of which 8,000 cached, ...), the
        // parent's two steps once. Ledger input = input - cached.
        let codex = row("codex")
        #expect(codex["calls"] as? Int == 3)
        #expect(codex["input_tokens"] as? Int == (12_000 - 6_000) + (18_000 - 14_000) + (11_000 - 8_000))
        #expect(codex["cache_read_tokens"] as? Int == 6_000 + 14_000 + 8_000)
        #expect(codex["output_tokens"] as? Int == 500 + 400 + 200)
        #expect(codex["reasoning_tokens"] as? Int == 300 + 100 + 50)
        // Gemini: input includes cached; thoughts billed as output; tool as input.
        let gemini = row("gemini-cli")
        #expect(gemini["calls"] as? Int == 2)
        #expect(gemini["input_tokens"] as? Int == (8_000 - 6_000 + 10) + 3_000)
        #expect(gemini["cache_read_tokens"] as? Int == 6_000)
        #expect(gemini["output_tokens"] as? Int == 40 + 200 + 100)
        #expect(gemini["reasoning_tokens"] as? Int == 200)
        #expect(gemini["unpriced_calls"] as? Int == 0 && codex["unpriced_calls"] as? Int == 0)

        let projects = try await CLIRunner.run(["report", "--by", "tag:project,tag:branch", "--format", "csv"], home: home)
        #expect(projects.stdout.contains("/src/api,feat"), "\(projects.stdout)")
        #expect(projects.stdout.contains("/src/web"), "\(projects.stdout)")
    }
}
