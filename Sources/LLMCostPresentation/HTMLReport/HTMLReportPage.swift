import Foundation
import LLMCostCharts
import LLMCostCore
import LLMCostMetering
import LLMCostStore

/// `llm-cost report --format html`: one self-contained page (inline CSS, SVG and a few lines
/// of script; nothing fetched) drawn from a `SpendOverview`.
///
/// Money is shown as the text report shows it (cents; under a cent, two significant digits);
/// every amount carries its exact value in `data-usd` (the JSON report's decimal string) and
/// its tooltip. Every chart has its numbers in a table beside it.
public struct HTMLReportPage {
    public var overview: SpendOverview
    /// How many series the time chart stacks before folding the rest into "other".
    public var seriesShown = 7
    /// How many of the most expensive sessions are listed.
    public var sessionsShown = SpendOverview.sessionsShown

    public init(overview: SpendOverview) {
        self.overview = overview
    }

    /// The whole page.
    public func render() -> String {
        var out = Markup()
        write(into: &out)
        return out.text
    }

    /// Writes the page into `out`.
    public func write(into out: inout Markup) {
        let report = overview.breakdown
        out += """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="llm-cost">
            <title>LLM spend · \(ReportRenderer().windowDescription(report.query))</title>
            <style>\(raw: HTMLReportTemplates.styleSheet)</style>
            </head><body>
            <header><h1>LLM spend</h1>
            <p class="window">\(ReportRenderer().windowDescription(report.query)) · grouped by \
            \(groupingDescription(report.query.groupBy)) · generated \(localTime(overview.generatedAt))</p>
            \(filtersDescription(report.query))</header>

            """
        writeFigures(into: &out)
        writeTimeChart(into: &out)
        writeBreakdown(into: &out)
        writeShares(title: "Spend by model", id: "models", report: overview.byModel, into: &out)
        writeShares(title: "Spend by agent", id: "agents", report: overview.byAgent, into: &out)
        writeBudgets(into: &out)
        writeSessions(into: &out)
        writeCache(into: &out)
        writeAccuracy(into: &out)
        out += """
            <footer><p>Costs are exact sums of each call's price (nano-dollar integers); calls of unpriced \
            models count as unknown, never $0. Made by llm-cost.</p></footer>
            <script>\(raw: HTMLReportTemplates.script)</script>
            </body></html>

            """
    }

    // MARK: Headline

    func writeFigures(into out: inout Markup) {
        let total = overview.breakdown.total
        let usage = total.usage
        out += "<section id=\"figures\" aria-label=\"Headline figures\"><div class=\"figures\">"
        figure("Spend", id: "total-cost", value: money(total), into: &out)
        figure("Calls", id: "total-calls", value: count(total.calls), into: &out)
        figure("Input tokens", id: "total-input", value: count(usage.inputTokens), into: &out)
        figure("Output tokens", id: "total-output", value: count(usage.outputTokens), into: &out)
        figure("Cache reads", id: "total-cache-read", value: count(usage.cacheReadTokens), into: &out)
        figure("Cache writes", id: "total-cache-write", value: count(usage.cacheWriteTokens), into: &out)
        if usage.reasoningTokens > 0 {
            figure("Reasoning tokens", id: "total-reasoning", value: count(usage.reasoningTokens), into: &out)
        }
        figure("Unpriced calls", id: "unpriced-calls", value: count(total.unpricedCalls), alert: total.unpricedCalls > 0, into: &out)
        let mapShare = total.calls > 0 ? percent(basisPoints: overview.breakdown.mapPricedCalls * 10_000 / total.calls) : "-"
        figure(
            "Priced from the LiteLLM map", id: "map-priced",
            value: "<span data-calls=\"\(overview.breakdown.mapPricedCalls)\">\(mapShare)</span>", into: &out)
        if total.errorCalls > 0 {
            figure("Failed calls", id: "error-calls", value: count(total.errorCalls), alert: true, into: &out)
        }
        out += "</div>"
        if total.unpricedCalls > 0 {
            out += """
                <p class="note">\(total.unpricedCalls) call\(total.unpricedCalls == 1 ? "" : "s") of models missing \
                from the pricing table: their cost is unknown and not in the spend. <code>llm-cost pricing resolve \
                MODEL</code> says why; <code>llm-cost reprice</code> prices them once a price is added.</p>
                """
        }
        out += "</section>\n"
    }

    func figure(_ label: String, id: String, value: Markup, alert: Bool = false, into out: inout Markup) {
        out += """
            <div class="figure\(raw: alert ? " alert" : "")" id="\(id)"><div class="label">\(label)</div>\
            <div class="value">\(value)</div></div>
            """
    }

    // MARK: Spend over time

    /// The series of the time chart: the most expensive values of the stacking dimension, the
    /// rest folded into "other", each with its cost per bucket.
    func timeSeries() -> (series: [StackedBarChart.Series], nanoByBucket: [[Int64]]) {
        let buckets = overview.buckets
        let bucketIndex = Dictionary(buckets.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var totals: [String: Int64] = [:]
        for row in overview.overTime.rows { totals[row.key[1] ?? "(none)", default: 0] += row.totals.cost.nanoUSD }
        // Values with no priced spend draw nothing: they stay out of the legend too.
        let ranked = totals.filter { $0.value > 0 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        let kept = ranked.count > seriesShown ? Array(ranked.prefix(seriesShown - 1)) : ranked
        let keptIndex = Dictionary(kept.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let names = kept + (ranked.count > kept.count ? ["other (\(ranked.count - kept.count))"] : [])
        var nano = Array(repeating: Array(repeating: Int64(0), count: buckets.count), count: names.count)
        for row in overview.overTime.rows {
            guard let label = row.key[0], let bucket = bucketIndex[label] else { continue }
            guard row.totals.cost.nanoUSD != 0 else { continue }
            let series = keptIndex[row.key[1] ?? "(none)"] ?? names.count - 1
            nano[series][bucket] += row.totals.cost.nanoUSD
        }
        let series = zip(names, nano).enumerated().map { index, pair in
            StackedBarChart.Series(
                name: pair.0, values: pair.1.map { Double($0) / 1e9 }, color: index >= kept.count ? ChartPalette.rest : nil)
        }
        return (series, nano)
    }

    func writeTimeChart(into out: inout Markup) {
        let unit = overview.timeUnit.description
        let by = overview.stackedBy.description
        out += "<section id=\"over-time\"><h2>Spend per \(unit) by \(by)</h2>"
        let (series, nano) = timeSeries()
        let chart = StackedBarChart(categories: overview.buckets, series: series)
        let decimals = NiceScale(largestValue: chart.categoryTotals.max() ?? 0).labelDecimals
        out += chart.svg(
            title: "Spend per \(unit) by \(by)",
            description: "Stacked bars, one per \(unit), \(overview.buckets.count) in all; the table below has the numbers.",
            valueLabel: { String(format: "$%.\(min(decimals, 4))f", $0) },
            valueText: { displayMoney(Money(nanoUSD: Int64(($0 * 1e9).rounded()))) })
        if series.isEmpty {
            out += "<p class=\"empty\">No priced calls in this window.</p>"
        } else {
            out += "<ul class=\"legend\">"
            for (index, one) in series.enumerated() {
                out += "<li><span class=\"swatch\" style=\"background:\(one.color(at: index))\"></span>\(one.name)</li>"
            }
            out += "</ul>"
        }
        out += "<details><summary>The numbers</summary><table id=\"over-time-table\"><thead><tr><th>\(unit)</th>"
        for one in series { out += "<th class=\"num\">\(one.name)</th>" }
        out += "<th class=\"num\">total</th></tr></thead><tbody>"
        for (bucket, label) in overview.buckets.enumerated() {
            out += "<tr><td>\(label)</td>"
            var sum: Int64 = 0
            for values in nano {
                sum += values[bucket]
                out += moneyCell(Money(nanoUSD: values[bucket]))
            }
            out += moneyCell(Money(nanoUSD: sum)) + "</tr>"
        }
        out += "</tbody></table></details></section>\n"
    }

    // MARK: Breakdown

    func writeBreakdown(into out: inout Markup) {
        let report = overview.breakdown
        let dimensions = report.query.groupBy
        out += "<section id=\"breakdown\"><h2>By \(groupingDescription(dimensions))</h2>"
        guard !report.rows.isEmpty else {
            out += "<p class=\"empty\">No calls in this window.</p></section>\n"
            return
        }
        // A long breakdown (a day by model over months) folds away, so the panels after it stay in view.
        let folded = report.rows.count > Self.unfoldedRows
        if folded {
            out += "<details><summary>All \(report.rows.count) rows, sortable</summary>"
        }
        out += "<table class=\"sortable\" id=\"breakdown-table\"><thead><tr>"
        for dimension in dimensions { out += "<th data-sort=\"text\">\(dimension.description)</th>" }
        if report.showsSessionActivity { out += "<th data-sort=\"text\">project</th><th data-sort=\"text\">last call</th>" }
        out += measureHeaders(sortable: true) + "</tr></thead><tbody>"
        for row in report.rows {
            out += "<tr>"
            for name in row.key { out += "<td class=\"name\">\(name ?? "(none)")</td>" }
            if report.showsSessionActivity {
                out += "<td class=\"name\">\(row.project ?? "")</td><td data-value=\"\(row.lastCall ?? 0)\">\(row.lastCall.map(localTime) ?? "")</td>"
            }
            out += measureCells(row.totals, of: report.total) + "</tr>"
        }
        let keyColumns = dimensions.count + (report.showsSessionActivity ? 2 : 0)
        out += "</tbody><tfoot><tr><td colspan=\"\(max(keyColumns, 1))\">total</td>"
        out += measureCells(report.total, of: report.total) + "</tr></tfoot></table>"
        if folded { out += "</details>" }
        out += "</section>\n"
    }

    /// The most rows the breakdown shows unfolded.
    static let unfoldedRows = 40

    func measureHeaders(sortable: Bool) -> Markup {
        let titles = ["calls", "input", "output", "cache read", "cache write", "cost", "share"]
        var out = Markup()
        for title in titles { out += "<th class=\"num\"\(raw: sortable ? " data-sort=\"number\"" : "")>\(title)</th>" }
        return out
    }

    func measureCells(_ totals: CallTotals, of whole: CallTotals) -> Markup {
        var out = Markup()
        for value in [totals.calls, totals.usage.inputTokens, totals.usage.outputTokens, totals.usage.cacheReadTokens, totals.usage.cacheWriteTokens] {
            out += "<td class=\"num\" data-value=\"\(value)\">\(count(value))</td>"
        }
        out += "<td class=\"num\" data-value=\"\(totals.costIsUnknown ? -1 : totals.cost.nanoUSD)\">\(money(totals))</td>"
        out += "<td class=\"num\" data-value=\"\(shareBasisPoints(totals, of: whole) ?? -1)\">\(shareText(totals, of: whole))</td>"
        return out
    }

    // MARK: Shares (by model, by agent)

    func writeShares(title: String, id: String, report: Report, into out: inout Markup) {
        out += "<section id=\"\(id)\"><h2>\(title)</h2>"
        guard !report.rows.isEmpty else {
            out += "<p class=\"empty\">No calls in this window.</p></section>\n"
            return
        }
        out += """
            <table class="sortable shares"><thead><tr><th data-sort="text">\(report.query.groupBy.first?.description ?? "")</th>\
            <th class="num" data-sort="number">calls</th><th class="num" data-sort="number">cost</th>\
            <th class="num" data-sort="number">share</th><th aria-hidden="true"></th></tr></thead><tbody>
            """
        for row in report.rows {
            let share = shareBasisPoints(row.totals, of: report.total)
            out += """
                <tr><td class="name">\(row.key.first.flatMap { $0 } ?? "(none)")</td>\
                <td class="num" data-value="\(row.totals.calls)">\(count(row.totals.calls))</td>\
                <td class="num" data-value="\(row.totals.costIsUnknown ? -1 : row.totals.cost.nanoUSD)">\(money(row.totals))</td>\
                <td class="num" data-value="\(share ?? -1)">\(shareText(row.totals, of: report.total))</td>\
                <td class="bar">\(bar(basisPoints: share ?? 0))</td></tr>
                """
        }
        out += "</tbody></table></section>\n"
    }

    // MARK: Budgets

    func writeBudgets(into out: inout Markup) {
        out += "<section id=\"budgets\"><h2>Budgets</h2>"
        guard !overview.budgets.rows.isEmpty else {
            out += "<p class=\"empty\">No budgets configured (<code>[[budgets]]</code> in llm-cost.toml).</p></section>\n"
            return
        }
        out += """
            <table><thead><tr><th>budget</th><th>period</th><th>action</th><th class="num">spent</th>\
            <th class="num">reserved</th><th class="num">limit</th><th class="num">used</th>\
            <th class="num">projected</th><th>period end</th><th aria-hidden="true"></th></tr></thead><tbody>
            """
        for row in overview.budgets.rows {
            let usage = row.usage
            let spentShare = usage.spent.basisPoints(of: usage.budget.limit) ?? 0
            let reservedShare = usage.reserved.basisPoints(of: usage.budget.limit) ?? 0
            let used = row.shareBasisPoints.map { percent(basisPoints: $0) } ?? "-"
            out += """
                <tr><td class="name">\(usage.budget.name)</td><td>\(usage.budget.period.rawValue)</td>\
                <td>\(usage.budget.action.rawValue)</td><td class="num">\(moneyText(usage.spent))</td>\
                <td class="num">\(moneyText(usage.reserved))</td><td class="num">\(moneyText(usage.budget.limit))</td>\
                <td class="num\(raw: row.isOver ? " unknown" : "")">\(used)</td>\
                <td class="num">\(row.projected.map { moneyText($0) } ?? "-")</td>\
                <td>\(usage.window.end.map(localTime) ?? "never")</td>\
                <td class="bar">\(bar(basisPoints: spentShare, reserved: reservedShare, over: row.isOver))</td></tr>
                """
        }
        out += "</tbody></table></section>\n"
    }

    // MARK: Sessions

    func writeSessions(into out: inout Markup) {
        let sessions = overview.sessions
        let shown = sessions.rows.filter { $0.key.first.flatMap { $0 } != nil }.prefix(sessionsShown)
        out += "<section id=\"sessions\"><h2>Most expensive sessions</h2>"
        guard !shown.isEmpty else {
            out += "<p class=\"empty\">No calls with a session in this window.</p></section>\n"
            return
        }
        let showsProject = shown.contains { $0.project != nil }
        out += """
            <table id="sessions-table"><thead><tr><th>session</th>\(raw: showsProject ? "<th>project</th>" : "")<th>first call</th><th>last call</th>\
            <th class="num">calls</th><th class="num">cost</th><th class="num">share</th></tr></thead><tbody>
            """
        for row in shown {
            let project: Markup = showsProject ? "<td class=\"name\">\(row.project ?? "")</td>" : ""
            out += """
                <tr><td class="name">\(row.key.first.flatMap { $0 } ?? "")</td>\
                \(project)\
                <td>\(row.firstCall.map(localTime) ?? "")</td><td>\(row.lastCall.map(localTime) ?? "")</td>\
                <td class="num">\(count(row.totals.calls))</td><td class="num">\(money(row.totals))</td>\
                <td class="num">\(shareText(row.totals, of: sessions.total))</td></tr>
                """
        }
        out += "</tbody></table>"
        let withSession = sessions.rows.filter { $0.key.first.flatMap { $0 } != nil }.count
        if withSession > shown.count {
            out += "<p class=\"note\">The \(shown.count) most expensive; <code>llm-cost report --by session</code> lists them all.</p>"
        }
        out += "</section>\n"
    }

    // MARK: Cache

    func writeCache(into out: inout Markup) {
        let cache = overview.cache
        out += "<section id=\"cache\"><h2>Cache efficiency</h2>"
        guard cache.promptTokens > 0 else {
            out += "<p class=\"empty\">No input tokens in this window.</p></section>\n"
            return
        }
        let share = cache.readShareBasisPoints.map { percent(basisPoints: $0) } ?? "-"
        out += "<div class=\"figures\">"
        figure("Input read from cache", id: "cache-read-share", value: "\(share)", into: &out)
        figure("Saved by cache reads", id: "cache-saved", value: moneyText(cache.savedByReads), into: &out)
        figure("Cache write premium", id: "cache-premium", value: moneyText(cache.writePremium), into: &out)
        figure("Net saving", id: "cache-net", value: moneyText(cache.netSaving), alert: cache.netSaving < .zero, into: &out)
        out += """
            </div><p class="note">\(count(cache.cacheReadTokens)) of \(count(cache.promptTokens)) input tokens \
            were read from cache and \(count(cache.cacheWriteTokens)) written to it. Savings compare each model's \
            base prices for uncached input, cache reads and cache writes, in force at the window's end.</p>
            """
        if cache.withoutPrices {
            out += "<p class=\"note unknown\">The pricing table could not be loaded, so the savings are not computed (<code>llm-cost pricing validate</code> says why).</p>"
        } else if !cache.unpricedModels.isEmpty {
            out += "<p class=\"note\">Not priced, left out of the dollars: \(cache.unpricedModels.joined(separator: ", ")).</p>"
        }
        out += "</section>\n"
    }

    // MARK: Estimate accuracy

    func writeAccuracy(into out: inout Markup) {
        let accuracy = overview.accuracy
        guard !accuracy.rows.isEmpty else { return }
        out += """
            <section id="accuracy"><h2>Estimate accuracy</h2><table><thead><tr><th>provider</th><th>model</th>\
            <th class="num">calls</th><th class="num">median error, raw</th><th class="num">p90, raw</th>\
            <th class="num">median error, corrected</th><th class="num">p90, corrected</th><th class="num">factor</th>\
            </tr></thead><tbody>
            """
        for row in accuracy.rows {
            let factor = row.correction.map { correction in
                correction.isActive
                    ? String(format: "%.3f ±%.1f%%", correction.factor, correction.band * 100)
                    : "learning \(correction.samples)/\(accuracy.policy.minimumSamples)"
            } ?? "exact"
            out += """
                <tr><td>\(row.provider)</td><td class="name">\(row.model)</td><td class="num">\(row.calls)</td>\
                <td class="num">\(String(format: "%.1f%%", row.raw.medianErrorPercent))</td>\
                <td class="num">\(String(format: "%.1f%%", row.raw.p90ErrorPercent))</td>\
                <td class="num">\(String(format: "%.1f%%", row.corrected.medianErrorPercent))</td>\
                <td class="num">\(String(format: "%.1f%%", row.corrected.p90ErrorPercent))</td>\
                <td class="num">\(factor)</td></tr>
                """
        }
        out += """
            </tbody></table><p class="note">Error is (estimate − reported input) ÷ reported input, over metered \
            calls; corrected is the estimate the meter used.</p></section>

            """
    }

    // MARK: Pieces

    /// A row's cost as shown, with the exact amount in `data-usd` and the tooltip; `unknown`
    /// when every call is unpriced, and a `*` when some are.
    func money(_ totals: CallTotals) -> Markup {
        if totals.costIsUnknown { return "<span class=\"unknown\" data-usd=\"\">unknown</span>" }
        let partial = totals.unpricedCalls > 0
        return """
            <span class="money" data-usd="\(totals.cost.decimalString)" title="$\(totals.cost.decimalString)\
            \(partial ? " (\(totals.unpricedCalls) unpriced calls not counted)" : "")">\
            \(displayMoney(totals.cost))\(partial ? "*" : "")</span>
            """
    }

    func moneyText(_ amount: Money) -> Markup {
        "<span class=\"money\" data-usd=\"\(amount.decimalString)\" title=\"$\(amount.decimalString)\">\(displayMoney(amount))</span>"
    }

    func moneyCell(_ amount: Money) -> Markup {
        "<td class=\"num\" data-value=\"\(amount.nanoUSD)\">\(moneyText(amount))</td>"
    }

    func count(_ value: Int64) -> Markup {
        "<span title=\"\(value)\">\(compactCount(value))</span>"
    }

    /// The share in basis points, for sorting and bar widths (`nil`: unknown or no total).
    func shareBasisPoints(_ totals: CallTotals, of whole: CallTotals) -> Int64? {
        totals.costIsUnknown ? nil : totals.cost.basisPoints(of: whole.cost)
    }

    /// `12.3%` from basis points, rounded down.
    func percent(basisPoints: Int64) -> String {
        "\(basisPoints / 100).\((basisPoints % 100) / 10)%"
    }

    func bar(basisPoints: Int64, reserved: Int64 = 0, over: Bool = false) -> Markup {
        func width(_ share: Int64) -> String { Markup.coordinate(Double(min(max(share, 0), 10_000)) / 100) }
        let rest = min(max(reserved, 0), max(0, 10_000 - basisPoints))
        return """
            <div class="bar-track"><div class="bar-fill\(raw: over ? " over" : "")" style="width:\(width(basisPoints))%"></div>\
            \(raw: rest > 0 ? "<div class=\"bar-fill reserved\" style=\"width:\(width(rest))%\"></div>" : "")</div>
            """
    }

    func localTime(_ milliseconds: Int64) -> String {
        LocalTimeFormatter(timeZone: overview.breakdown.query.timeZone).dateTime(milliseconds)
    }

    func groupingDescription(_ dimensions: [ReportDimension]) -> String {
        dimensions.isEmpty ? "nothing (one total)" : dimensions.map(\.description).joined(separator: ", ")
    }

    func filtersDescription(_ query: ReportQuery) -> Markup {
        var parts: [String] = []
        if !query.providers.isEmpty { parts.append("provider " + query.providers.joined(separator: " or ")) }
        if !query.models.isEmpty { parts.append("model " + query.models.joined(separator: " or ")) }
        if !query.agents.isEmpty { parts.append("agent " + query.agents.joined(separator: " or ")) }
        if !query.tags.isEmpty { parts.append("tags " + query.tags.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        guard !parts.isEmpty else { return "" }
        return "<p class=\"window\">Only calls of \(parts.joined(separator: "; ")).</p>"
    }
}

/// The page's style sheet and script, from `reports/html/` (embedded at build time).
enum HTMLReportTemplates {
    static let styleSheet = String(decoding: PackageResources.report_css, as: UTF8.self)
    static let script = String(decoding: PackageResources.report_js, as: UTF8.self)
}
