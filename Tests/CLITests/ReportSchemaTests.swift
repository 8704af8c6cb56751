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
}
