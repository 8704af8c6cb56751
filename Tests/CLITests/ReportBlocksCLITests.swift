import Foundation
import Testing

/// `report --by block` and `report --by session` on the built binary, over calls shaped like
/// an agent-log import (tags `project`, `branch`, `source`), with expected values worked out
/// here by hand and in decimal.
@Suite struct ReportBlocksCLITests {
    /// Five calls of 100 input, 200 output and 30,000 cache-read tokens (30,300 in all).
    static let lines: [String] = [
        ("2026-11-20T09:30:00Z", "s1", "/work/a", "0.012"),
        ("2026-11-20T11:10:00Z", "s1", "/work/b", "0.020"),  // s1 moved to /work/b
        ("2026-11-20T14:59:00Z", "s2", "/work/a", "0.030"),  // at or after 14:00: a new block [14:00, 19:00)
        ("2026-11-20T15:00:00Z", "s2", "/work/a", "0.040"),
        ("2026-11-20T16:20:00Z", "s2", "/work/a", "0.050"),
    ].enumerated().map { index, call in
        let (ts, session, project, cost) = call
        return #"{"ts":"\#(ts)","provider":"anthropic","model":"claude-sonnet-4-5","agent":"claude-code","session":"\#(session)","tags":{"project":"\#(project)","branch":"main","source":"/logs/\#(session).jsonl"},"request_id":"msg_\#(index)","input_tokens":100,"output_tokens":200,"cache_read_tokens":30000,"cost_usd":"\#(cost)"}"#
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// `value` (≥ 0) rounded half up to an integer, in decimal arithmetic.
    private func rounded(_ value: Decimal) -> Int64 {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 0, .plain)
        return NSDecimalNumber(decimal: result).int64Value
    }

    private func usd(_ nano: Int64) -> String { String(format: "%d.%09d", nano / 1_000_000_000, nano % 1_000_000_000) }

    @Test func blocksWithTheActiveOnesPaceInJSONAndTable() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let imported = try await CLIRunner.run(["import", "-"], stdin: Self.lines.joined(separator: "\n"), home: home)
        #expect(imported.status == 0, "\(imported.stderr)")

        let now = ["--now", "2026-11-20T17:00:00Z", "--tz", "UTC"]
        let result = try await CLIRunner.run(["report", "--by", "block", "--format", "json"] + now, home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        #expect(object["group_by"] as? [String] == ["block"])
        #expect(object["now"] as? String == "2026-11-20T17:00:00.000Z")
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.map { $0["start"] as? String } == ["2026-11-20T09:00:00.000Z", "2026-11-20T14:00:00.000Z"])
        #expect(rows.map { $0["end"] as? String } == ["2026-11-20T14:00:00.000Z", "2026-11-20T19:00:00.000Z"])
        #expect(rows.map { $0["first_call"] as? String } == ["2026-11-20T09:30:00.000Z", "2026-11-20T14:59:00.000Z"])
        #expect(rows.map { $0["last_call"] as? String } == ["2026-11-20T11:10:00.000Z", "2026-11-20T16:20:00.000Z"])
        #expect(rows.map { $0["active"] as? Bool } == [false, true])
        #expect(rows.map { $0["calls"] as? Int } == [2, 3])
        #expect(rows.map { $0["cost_usd"] as? String } == ["0.032000000", "0.120000000"])
        #expect(rows[0]["burn_rate"] is NSNull)
        #expect((object["total"] as? [String: Any])?["cost_usd"] as? String == "0.152000000")

        // 0.12 USD and 3 × 30,300 tokens in the 121 minutes since 14:59, 120 minutes left.
        let cost = Decimal(120_000_000)
        let tokens = Decimal(3 * 30_300)
        let rate = try #require(rows[1]["burn_rate"] as? [String: Any])
        #expect(rate["cost_usd_per_hour"] as? String == usd(rounded(cost * 60 / 121)))
        #expect(rate["cost_usd_per_hour"] as? String == "0.059504132")
        #expect(rate["tokens_per_minute"] as? Int == Int(rounded(tokens / 121)))
        #expect(rate["projected_cost_usd"] as? String == usd(120_000_000 + rounded(cost * 120 / 121)))
        #expect(rate["projected_cost_usd"] as? String == "0.239008264")
        #expect(rate["projected_tokens"] as? Int == 90_900 + Int(rounded(tokens * 120 / 121)))

        let table = try await CLIRunner.run(["report", "--by", "block"] + now, home: home)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("BLOCK ") && lines[0].contains("FIRST  LAST   CALLS"))
        #expect(lines[1].hasPrefix("2026-11-20 09:00-14:00 ") && lines[1].contains("09:30  11:10      2"))
        #expect(lines[2].hasPrefix("2026-11-20 14:00-19:00 active  14:59  16:20      3"))
        #expect(lines[4].hasPrefix("TOTAL ") && lines[4].hasSuffix("$0.15"))
        #expect(table.stdout.contains("\nactive block, now 17:00: $0.06/h, 751 tokens/min since its first call (14:59)\n"))
        #expect(table.stdout.contains("\nat this pace by 19:00: $0.24, 181.0k tokens\n"))
        #expect(lines.prefix(5).allSatisfy { $0.count <= 80 })

        // The window picks blocks, never moves them: from 16:00 only the active block shows,
        // still from 14:00 with all its calls. --now also anchors relative times.
        let windowed = try json(try await CLIRunner.run(["report", "--by", "block", "--format", "json", "--since", "1h"] + now, home: home).stdout)
        #expect(windowed["since"] as? String == "2026-11-20T16:00:00.000Z")
        let windowRows = try #require(windowed["rows"] as? [[String: Any]])
        #expect(windowRows.map { $0["start"] as? String } == ["2026-11-20T14:00:00.000Z"])
        #expect(windowRows.first?["calls"] as? Int == 3)

        // After 19:00 nothing is active; filters apply before blocks are formed.
        let later = try json(try await CLIRunner.run(["report", "--by", "block", "--format", "json", "--now", "2026-11-20T19:00:00Z"], home: home).stdout)
        #expect((later["rows"] as? [[String: Any]])?.allSatisfy { $0["active"] as? Bool == false && $0["burn_rate"] is NSNull } == true)
        let filtered = try json(try await CLIRunner.run(["report", "--by", "block", "--format", "json", "--tag", "project=/work/b"] + now, home: home).stdout)
        #expect((filtered["rows"] as? [[String: Any]])?.map { $0["start"] as? String } == ["2026-11-20T11:00:00.000Z"])

        let csv = try await CLIRunner.run(["report", "--by", "block", "--format", "csv"] + now, home: home)
        #expect(csv.stdout.contains("\n2026-11-20T14:00:00.000Z,2026-11-20T19:00:00.000Z,2026-11-20T14:59:00.000Z,2026-11-20T16:20:00.000Z,true,3,300,600,90000,"))
        let markdown = try await CLIRunner.run(["report", "--by", "block", "--format", "markdown"] + now, home: home)
        #expect(markdown.stdout.contains("| 2026-11-20 14:00-19:00 active | 14:59 | 16:20 | 3 |"))
    }

    @Test func blockCombinesWithNoOtherGroupingAndNowMustBeATime() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        _ = try await CLIRunner.run(["import", "-"], stdin: Self.lines.joined(separator: "\n"), home: home)
        let combined = try await CLIRunner.run(["report", "--by", "block,model"], home: home)
        #expect(combined.status == 2)
        #expect(combined.stderr.contains("--by: block cannot be combined with other groupings (model)"), "\(combined.stderr)")
        let badNow = try await CLIRunner.run(["report", "--by", "block", "--now", "soon"], home: home)
        #expect(badNow.status == 2)
        #expect(badNow.stderr.contains("--now: cannot read \"soon\""), "\(badNow.stderr)")
        let help = try await CLIRunner.run(["report", "--help"], home: home)
        #expect(help.stdout.contains("block"))
        #expect(!help.stdout.contains("--now"))  // hidden: for tests and reproducible output
    }

    @Test func sessionsShowTheirProjectAndFirstAndLastCall() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        _ = try await CLIRunner.run(["import", "-"], stdin: Self.lines.joined(separator: "\n"), home: home)
        let result = try await CLIRunner.run(["report", "--by", "session", "--format", "json", "--tz", "UTC"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try json(result.stdout)["rows"] as? [[String: Any]])
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { (($0["key"] as? [String: Any])?["session"] as? String ?? "", $0) })
        #expect(byKey["s1"]?["first_call"] as? String == "2026-11-20T09:30:00.000Z")
        #expect(byKey["s1"]?["last_call"] as? String == "2026-11-20T11:10:00.000Z")
        #expect(byKey["s1"]?["project"] as? String == "/work/b")  // its latest call's
        #expect(byKey["s2"]?["first_call"] as? String == "2026-11-20T14:59:00.000Z")
        #expect(byKey["s2"]?["last_call"] as? String == "2026-11-20T16:20:00.000Z")
        #expect(byKey["s2"]?["project"] as? String == "/work/a")

        let table = try await CLIRunner.run(["report", "--by", "session", "--tz", "Europe/Paris"], home: home)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("SESSION  PROJECT  FIRST        LAST   CALLS"), "\(table.stdout)")
        #expect(lines[1].hasPrefix("s2       /work/a  11-20 15:59  17:20      3"), "\(table.stdout)")
        #expect(lines[2].hasPrefix("s1       /work/b  11-20 10:30  12:10      2"), "\(table.stdout)")

        // A report without session grouping is as before.
        let byModel = try await CLIRunner.run(["report", "--by", "model", "--format", "csv"], home: home)
        #expect(byModel.stdout.hasPrefix("model,calls,input_tokens,"))
    }
}
