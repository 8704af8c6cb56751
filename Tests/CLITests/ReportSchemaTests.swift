import Foundation
import Testing

/// `reports/report.schema.json` describes the JSON `report` really prints.
@Suite struct ReportSchemaTests {
    @Test func reportJSONHasEveryFieldTheSchemaRequires() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = LedgerCommandTests.sampleLines(count: 20) + [
            #"{"ts":"2026-11-19T00:00:00Z","provider":"x","model":"not-priced"}"#
        ]
        let imported = try await CLIRunner.run(["import", "-"], stdin: lines.joined(separator: "\n"), home: home)
        #expect(imported.status == 0)
        let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("reports/report.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let measures = try #require((definitions["measures"] as? [String: Any])?["required"] as? [String])
        let costPattern = try #require(((definitions["measures"] as? [String: Any])?["properties"] as? [String: Any])
            .flatMap { ($0["cost_usd"] as? [String: Any])?["pattern"] as? String })

        let output = try await CLIRunner.run(["report", "--by", "model,tag:team", "--format", "json", "--since", "2026-11-01"], home: home)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        for field in try #require(schema["required"] as? [String]) { #expect(report[field] != nil, "missing \(field)") }
        let rows = try #require(report["rows"] as? [[String: Any]])
        let total = try #require(report["total"] as? [String: Any])
        for object in rows + [total] {
            for field in measures { #expect(object[field] != nil, "missing \(field)") }
            if let cost = object["cost_usd"] as? String {
                #expect(cost.range(of: costPattern, options: .regularExpression) != nil, "\(cost)")
            }
        }
        #expect(rows.allSatisfy { ($0["key"] as? [String: Any])?.keys.sorted() == ["model", "tag:team"] })
        let unpriced = try #require(rows.first { ($0["key"] as? [String: Any])?["model"] as? String == "not-priced" })
        #expect(unpriced["cost_usd"] is NSNull)
    }

    /// By block and by session, rows carry the fields the schema describes for them.
    @Test func blockAndSessionJSONMatchTheSchema() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let imported = try await CLIRunner.run(["import", "-"], stdin: ReportBlocksCLITests.lines.joined(separator: "\n"), home: home)
        #expect(imported.status == 0)
        let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("reports/report.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let measures = try #require((definitions["measures"] as? [String: Any])?["required"] as? [String])
        let rowProperties = try #require((definitions["row"] as? [String: Any])?["properties"] as? [String: Any])
        let rateSchema = try #require(((rowProperties["burn_rate"] as? [String: Any])?["oneOf"] as? [[String: Any]])?.last)
        let rateFields = try #require(rateSchema["required"] as? [String])
        let groupPattern = try #require(((schema["properties"] as? [String: Any])?["group_by"] as? [String: Any])
            .flatMap { ($0["items"] as? [String: Any])?["pattern"] as? String })

        let blocks = try await CLIRunner.run(["report", "--by", "block", "--format", "json", "--now", "2026-11-20T17:00:00Z"], home: home)
        let blockReport = try #require(try JSONSerialization.jsonObject(with: Data(blocks.stdout.utf8)) as? [String: Any])
        for field in try #require(schema["required"] as? [String]) + ["now"] { #expect(blockReport[field] != nil, "missing \(field)") }
        #expect((blockReport["group_by"] as? [String])?.allSatisfy { $0.range(of: groupPattern, options: .regularExpression) != nil } == true)
        let blockRows = try #require(blockReport["rows"] as? [[String: Any]])
        #expect(blockRows.count == 2)
        for row in blockRows {
            for field in measures + ["key", "start", "end", "first_call", "last_call", "active", "burn_rate"] {
                #expect(row[field] != nil, "missing \(field)")
            }
            #expect(Set(row.keys).isSubset(of: Set(measures + ["cache_write_5m_tokens", "cache_write_1h_tokens", "web_search_requests", "error_calls"] + rowProperties.keys)))
        }
        let rate = try #require(blockRows.last?["burn_rate"] as? [String: Any])
        #expect(Set(rate.keys) == Set(rateFields))

        let sessions = try await CLIRunner.run(["report", "--by", "session", "--format", "json"], home: home)
        let sessionRows = try #require((try JSONSerialization.jsonObject(with: Data(sessions.stdout.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])
        for row in sessionRows {
            for field in measures + ["key", "first_call", "last_call", "project"] { #expect(row[field] != nil, "missing \(field)") }
        }
    }
}
