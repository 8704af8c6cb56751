import Foundation
import LLMCostCore
import LLMCostMetering
@testable import LLMCostPresentation
import LLMCostPricing
import LLMCostTestSupport
import Testing
@testable import LLMCostStore

/// The HTML page from a real ledger: its numbers are the JSON report's, every name is escaped,
/// and an empty ledger still gives a whole page. (The CLI tests draw it in a real browser.)
@Suite struct HTMLReportTests {
    let pricing: PriceTable

    init() throws {
        pricing = try PriceTableLoader.load(userDirectory: URL(fileURLWithPath: "/nonexistent-llm-cost-pricing"))
    }

    func populated(count: Int = 800, extra: [CallRecord] = []) throws -> TemporaryLedger {
        let temporary = try TemporaryLedger()
        var random = RandomCalls(state: 21)
        let records = (0..<count).map { random.record(index: $0) } + extra
        try temporary.ledger.write { session in
            for record in records { try session.insert(record) }
        }
        return temporary
    }

    func page(_ ledger: Ledger, _ query: ReportQuery, budgets: [BudgetDefinition] = []) throws -> String {
        let overview = try SpendOverview(ledger: ledger, query: query, budgets: budgets, pricing: pricing)
        return HTMLReportPage(overview: overview).render()
    }

    /// The values of `attribute` on elements inside the element with `id` (a plain scan: the
    /// page is ours and regular).
    func attributeValues(_ attribute: String, in html: String, within id: String) throws -> [String] {
        let start = try #require(html.range(of: "id=\"\(id)\""), "no element \(id)")
        let rest = html[start.upperBound...]
        let end = rest.range(of: "</section>")?.lowerBound ?? rest.endIndex
        return rest[..<end].components(separatedBy: "\(attribute)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func totalsEqualTheJSONReportExactly() throws {
        let temporary = try populated()
        let query = ReportQuery(timeZone: TimeZone(identifier: "Europe/Paris")!, groupBy: [.model, .day])
        let html = try page(temporary.ledger, query)
        let report = try temporary.ledger.report(query)
        let json = try #require(
            JSONSerialization.jsonObject(with: Data(ReportRenderer().json(report).utf8)) as? [String: Any])
        let total = try #require(json["total"] as? [String: Any])
        let headline = try attributeValues("data-usd", in: html, within: "total-cost")
        #expect(headline == [total["cost_usd"] as? String], "the headline is the JSON total to the nano-dollar")
        // The spend-over-time table sums (in nano-dollars) to the same total, bucket by bucket.
        let overTime = try attributeValues("data-value", in: html, within: "over-time-table").compactMap(Int64.init)
        let seriesCount = try attributeValues("class", in: html, within: "over-time").filter { $0 == "swatch" }.count
        let perRow = seriesCount + 1
        #expect(overTime.count % perRow == 0)
        var sum: Int64 = 0
        for row in stride(from: 0, to: overTime.count, by: perRow) {
            let cells = overTime[row..<(row + perRow)]
            #expect(cells.dropLast().reduce(0, +) == cells.last, "each bucket's series add up to its total")
            sum += cells.last ?? 0
        }
        #expect(sum == report.total.cost.nanoUSD)
        // Every breakdown row is on the page, and its total row.
        #expect(html.components(separatedBy: "<tr>").count > report.rows.count)
        #expect(html.contains("<tfoot><tr><td colspan=\"2\">total</td>"))
        // Unpriced calls are unknown, never $0.
        #expect(html.contains("class=\"unknown\""))
    }

    @Test func hostileNamesAreEscapedEverywhere() throws {
        var hostile = CallRecord(
            timestamp: Date(timeIntervalSince1970: 1_772_100_000), provider: "anthropic",
            model: "<img src=x onerror=alert(1)>", agent: "\"><script>alert(2)</script>", session: "s'&<b>")
        hostile.tags["project"] = "</td><h1>x"
        hostile.cost = Money(nanoUSD: 1_000_000_000)
        hostile.usage = Usage(inputTokens: 10, outputTokens: 5)
        let temporary = try populated(count: 50, extra: [hostile])
        let html = try page(temporary.ledger, ReportQuery(timeZone: .gmt, groupBy: [.agent, .session]))
        for raw in ["<img src=x", "<script>alert(2)", "<b>", "<h1>x"] {
            #expect(!html.contains(raw), "\(raw) reached the page unescaped")
        }
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
        // The page's own script is the only one.
        #expect(html.components(separatedBy: "<script>").count == 2)
    }

    @Test func anEmptyLedgerGivesAWholePage() throws {
        let temporary = try TemporaryLedger()
        let html = try page(temporary.ledger, ReportQuery(timeZone: .gmt, groupBy: [.model]))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.contains("No calls in this window."))
        #expect(try attributeValues("data-usd", in: html, within: "total-cost") == ["0.000000000"])
        #expect(html.contains("<svg"))
    }

    @Test func withoutAPriceTableOnlyTheCacheSavingsAreMissing() throws {
        let temporary = try populated(count: 200)
        let query = ReportQuery(timeZone: .gmt, groupBy: [.model])
        let html = HTMLReportPage(overview: try SpendOverview(ledger: temporary.ledger, query: query, budgets: [], pricing: nil)).render()
        #expect(html.contains("savings are not computed"))
        let total = try temporary.ledger.report(query).total.cost.decimalString
        #expect(try attributeValues("data-usd", in: html, within: "total-cost") == [total])
    }

    @Test func budgetsShowSpentReservedAndLimit() throws {
        let temporary = try populated(count: 100)
        let budget = BudgetDefinition(name: "team-cap", period: .total, limit: Money(nanoUSD: 2_000_000_000))
        let html = try page(temporary.ledger, ReportQuery(timeZone: .gmt, groupBy: [.model]), budgets: [budget])
        #expect(html.contains(">team-cap<"))
        let amounts = try attributeValues("data-usd", in: html, within: "budgets")
        #expect(amounts.contains("2.000000000"), "\(amounts)")
    }

    @Test(arguments: [
        ("UTC", Int64(1_772_000_000_000), Int64(1_772_000_000_000 + 30 * 3_600_000), ReportDimension.hour, 31),
        ("Europe/Paris", 1_774_735_200_000, 1_774_735_200_000 + 3 * 86_400_000, .day, 4),
    ])
    func bucketsCoverTheWindowOnceEach(zone: String, start: Int64, end: Int64, unit: ReportDimension, expected: Int) {
        let labels = TimeBuckets.labels(unit: unit, from: start, to: end, timeZone: TimeZone(identifier: zone)!)
        #expect(labels.count == expected, "\(labels)")
        #expect(Set(labels).count == labels.count)
        #expect(labels == labels.sorted())
    }
}
