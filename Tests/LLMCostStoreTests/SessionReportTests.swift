import Foundation
import LLMCostCore
@testable import LLMCostPresentation
@testable import LLMCostStore
import LLMCostTestSupport
import Testing

/// `report --by session`: each row's first and last call and project, as agent-log imports
/// tag them.
@Suite struct SessionReportTests {
    private static let start: Int64 = 1_795_132_800_000  // 2026-11-20T00:00:00Z

    private func call(_ ms: Int64, session: String?, project: String?, agent: String = "claude-code") -> CallRecord {
        var tags = ["source": "/logs/\(session ?? "none").jsonl", "branch": "main"]
        if let project { tags["project"] = project }
        var record = CallRecord(
            timestamp: Date(), provider: "anthropic", model: "claude-sonnet-4-5", agent: agent, session: session,
            tags: tags, requestID: "r\(ms)-\(session ?? "")", usage: Usage(inputTokens: 10, outputTokens: 2),
            cost: Money(nanoUSD: 1000))
        record.epochMilliseconds = ms
        return record
    }

    @Test func sessionRowsCarryFirstAndLastCallAndTheLatestProject() throws {
        let temporary = try TemporaryLedger()
        let minute: Int64 = 60_000
        let t = Self.start + 9 * 3_600_000
        let records = [
            call(t, session: "s1", project: "/src/old"),
            call(t + 10 * minute, session: "s1", project: "/src/new"),  // moved: the latest project wins
            call(t + 20 * minute, session: "s1", project: nil),  // an untagged call does not erase it
            call(t + 5 * minute, session: "s2", project: "/src/zeta"),
            call(t + 6 * minute, session: "s2", project: "/src/zeta"),
            call(t + 7 * minute, session: "s3", project: nil),
            call(t + 8 * minute, session: nil, project: "/src/none"),
        ]
        for record in records { try temporary.ledger.record(record) }
        let report = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [.session]))
        func row(_ session: String?) throws -> ReportRow { try #require(report.rows.first { $0.key == [session] }) }
        #expect(try row("s1").firstCall == t && row("s1").lastCall == t + 20 * minute && row("s1").project == "/src/new")
        #expect(try row("s2").firstCall == t + 5 * minute && row("s2").lastCall == t + 6 * minute && row("s2").project == "/src/zeta")
        #expect(try row("s3").project == nil && row("s3").firstCall == t + 7 * minute)
        #expect(try row(nil).project == "/src/none")
        #expect(report.total.calls == 7)

        // The window bounds first and last call.
        let windowed = try temporary.ledger.report(ReportQuery(since: t + 1, until: t + 15 * minute, timeZone: .gmt, groupBy: [.session]))
        let s1 = try #require(windowed.rows.first { $0.key == ["s1"] })
        #expect(s1.firstCall == t + 10 * minute && s1.lastCall == t + 10 * minute && s1.project == "/src/new")

        // Other groupings carry none of it, and print as before.
        let byModel = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [.model]))
        #expect(byModel.rows.allSatisfy { $0.firstCall == nil && $0.lastCall == nil && $0.project == nil })
        #expect(!ReportRenderer().json(byModel).contains("first_call"))
        #expect(ReportRenderer().csv(byModel).hasPrefix("model,calls,"))

        let json = ReportRenderer().json(report)
        #expect(json.contains(#"{"key":{"session":"s1"},"first_call":"2026-11-20T09:00:00.000Z","last_call":"2026-11-20T09:20:00.000Z","project":"/src/new","calls":3,"#))
        #expect(json.contains(#""key":{"session":"s3"},"first_call":"2026-11-20T09:07:00.000Z","last_call":"2026-11-20T09:07:00.000Z","project":null,"#))
        let csv = ReportRenderer().csv(report)
        #expect(csv.hasPrefix("session,first_call,last_call,project,calls,"))
        #expect(csv.contains("\ns1,2026-11-20T09:00:00.000Z,2026-11-20T09:20:00.000Z,/src/new,3,30,"))
        #expect(csv.contains("\nTOTAL,,,,7,"))
        let markdown = ReportRenderer().markdown(report)
        #expect(markdown.contains("| s1 | /src/new | 2026-11-20 09:00 | 2026-11-20 09:20 | 3 |"))
        let table = ReportRenderer().table(report)
        #expect(table.contains("s1       /src/new   11-20 09:00  09:20"), "\(table)")
    }

    /// Random sessions, projects and agents, grouped with other dimensions and by day in zones
    /// whose days split UTC hours: every row equals an independent computation from the records.
    @Test(arguments: ["UTC", "Asia/Kolkata", "America/New_York"])
    func sessionActivityEqualsAnIndependentComputation(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let temporary = try TemporaryLedger()
        var random = SplitMix64(seed: 5)
        func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        let records: [CallRecord] = (0..<1500).map { index in
            let session = below(8) == 0 ? nil : "session-\(below(40))"
            let project = below(4) == 0 ? nil : "/src/p\(below(3))"
            var record = call(
                Self.start + Int64(below(6 * 86_400_000)), session: session, project: project,
                agent: ["claude-code", "codex"][below(2)])
            record.requestID = "x\(index)"
            return record
        }
        try temporary.ledger.write { session in for record in records { _ = try session.insert(record) } }
        let since = Self.start + 86_400_000 + 1234
        let until = Self.start + 5 * 86_400_000 - 777
        let inWindow = records.filter { $0.epochMilliseconds >= since && $0.epochMilliseconds < until }
        var labeler = TimeBucketLabeler(timeZone: zone)
        for groupBy in [[ReportDimension.session], [.agent, .session], [.session, .day]] {
            let report = try temporary.ledger.report(ReportQuery(since: since, until: until, timeZone: zone, groupBy: groupBy))
            let groups = Dictionary(grouping: inWindow) { record in
                groupBy.map { dimension -> String? in
                    switch dimension {
                    case .session: record.session
                    case .agent: record.agent
                    default: labeler.label(for: record.epochMilliseconds, dimension: .day)
                    }
                }
            }
            #expect(report.rows.count == groups.count)
            for row in report.rows {
                let calls = try #require(groups[row.key])
                let times = calls.map(\.epochMilliseconds)
                #expect(row.totals.calls == Int64(calls.count))
                #expect(row.firstCall == times.min() && row.lastCall == times.max())
                // The project of the latest call that has one; the greater name on a tie.
                let tagged = calls.filter { $0.tags["project"] != nil }
                let latest = tagged.max { ($0.epochMilliseconds, $0.tags["project"]!) < ($1.epochMilliseconds, $1.tags["project"]!) }
                #expect(row.project == latest?.tags["project"], "\(row.key)")
            }
        }
    }

    @Test func aSessionTableOfAgentLogsFitsEightyColumns() throws {
        let temporary = try TemporaryLedger()
        for index in 0..<6 {
            var record = call(
                Self.start + Int64(index) * 7_000_000, session: UUID().uuidString.lowercased(),
                project: "/home/alice/work/clients/acme/repository-\(index)")
            record.usage = Usage(inputTokens: 123_456, outputTokens: 45_678, cacheReadTokens: 9_876_543, cacheWrite5mTokens: 123_456)
            record.cost = Money(nanoUSD: 12_345_678_901)
            try temporary.ledger.record(record)
            record.epochMilliseconds += 86_400_000 + 3_600_000  // the next day: LAST shows its date
            record.requestID = (record.requestID ?? "") + "-later"
            try temporary.ledger.record(record)
        }
        let report = try temporary.ledger.report(ReportQuery(timeZone: .gmt, groupBy: [.session]))
        let table = ReportRenderer().table(report)
        let lines = table.split(separator: "\n")
        #expect(lines.prefix(9).allSatisfy { $0.count <= 80 }, "\(table)")  // header, 6 sessions, rule, total
        #expect(lines[0].hasPrefix("SESSION") && lines[0].contains("PROJECT") && lines[0].contains("FIRST") && lines[0].contains("LAST"))
        #expect(lines[1].contains("…"))  // paths keep their end
        #expect(lines.contains { $0.contains("…ry-0") || $0.contains("ory-0") || $0.contains("tory-0") })
    }
}
