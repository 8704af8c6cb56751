import Foundation
import LLMCostCore
import LLMCostStore

/// `llm-cost report --by block` in the four formats, with the spend report's measure columns,
/// fitting and footnotes. JSON and CSV give times in UTC (as the report's `since` and
/// `until`); the table and Markdown in the report's zone.
extension ReportRenderer {
    public func render(_ report: BlockReport, as format: ReportFormat) -> String {
        switch format {
        case .table: table(report)
        case .json: json(report)
        case .csv: csv(report)
        case .markdown: markdown(report)
        }
    }

    // MARK: JSON (stable: the spend report's fields, and each block's times, state and pace)

    public func json(_ report: BlockReport) -> String {
        var out = JSONWriter()
        appendWindow(report.query, to: &out)
        out.raw(",\"group_by\":[\"block\"],\"now\":")
        appendTime(report.now, to: &out)
        out.raw(",\"rows\":[")
        for (index, block) in report.blocks.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"key\":{\"block\":")
            appendTime(block.start, to: &out)
            out.raw("},\"start\":")
            appendTime(block.start, to: &out)
            out.raw(",\"end\":")
            appendTime(block.end, to: &out)
            out.raw(",\"first_call\":")
            appendTime(block.firstCall, to: &out)
            out.raw(",\"last_call\":")
            appendTime(block.lastCall, to: &out)
            out.raw(block.isActive ? ",\"active\":true," : ",\"active\":false,")
            appendMeasures(block.totals, to: &out)
            out.raw(",\"burn_rate\":")
            if let rate = block.burnRate {
                out.raw("{\"cost_usd_per_hour\":")
                out.string(rate.costPerHour.decimalString)
                out.raw(",\"tokens_per_minute\":")
                out.integer(rate.tokensPerMinute)
                out.raw(",\"projected_cost_usd\":")
                out.string(rate.projectedCost.decimalString)
                out.raw(",\"projected_tokens\":")
                out.integer(rate.projectedTokens)
                out.raw("}")
            } else {
                out.raw("null")
            }
            out.raw("}")
        }
        return closeRowsAndDocument(&out, total: report.total, mapPricedCalls: report.mapPricedCalls)
    }

    // MARK: CSV

    public func csv(_ report: BlockReport) -> String {
        let header = ["block_start", "block_end", "first_call", "last_call", "active"] + Self.csvMeasureNames
            + ["cost_usd_per_hour", "tokens_per_minute", "projected_cost_usd", "projected_tokens"]
        var lines = [header.joined(separator: ",")]
        for block in report.blocks {
            let times = [block.start, block.end, block.firstCall, block.lastCall].map(Timestamp.format)
            let rate = block.burnRate.map {
                [$0.costPerHour.decimalString, String($0.tokensPerMinute), $0.projectedCost.decimalString, String($0.projectedTokens)]
            } ?? ["", "", "", ""]
            lines.append((times + [block.isActive ? "true" : "false"] + csvMeasures(block.totals) + rate).joined(separator: ","))
        }
        lines.append((["TOTAL", "", "", "", ""] + csvMeasures(report.total) + ["", "", "", ""]).joined(separator: ","))
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Table and Markdown

    public func table(_ report: BlockReport) -> String {
        let (columns, footnotes) = blockColumns(report)
        // The block's times are what it is about: only measure columns are left out.
        return layoutTable(
            columns, keyCount: 3, rowCount: report.blocks.count, window: windowDescription(report.query),
            footnotes: footnotes, emptyMessage: "(no blocks in this window)")
    }

    public func markdown(_ report: BlockReport) -> String {
        let (columns, footnotes) = blockColumns(report)
        return markdownTable(columns, rowCount: report.blocks.count, window: windowDescription(report.query), footnotes: footnotes)
    }

    /// BLOCK (`2026-11-20 10:00-15:00`, `active` after the active one), FIRST and LAST call
    /// (`10:07`; the date is the block's), the measures; the active block's pace as a footnote.
    private func blockColumns(_ report: BlockReport) -> (columns: [Column], footnotes: [String]) {
        let times = LocalTimeFormatter(timeZone: report.query.timeZone)
        var columns = [
            Column("BLOCK", .left, cells: report.blocks.map { block in
                times.dateTime(block.start) + "-" + times.time(block.end) + (block.isActive ? " active" : "")
            } + ["TOTAL"]),
            Column("FIRST", .left, cells: report.blocks.map { times.time($0.firstCall) } + [""]),
            Column("LAST", .left, cells: report.blocks.map { times.time($0.lastCall) } + [""]),
        ]
        var (measures, footnotes) = measureColumns(
            rows: report.blocks.map(\.totals), total: report.total, mapPricedCalls: report.mapPricedCalls)
        columns += measures
        if let active = report.blocks.first(where: \.isActive), let rate = active.burnRate {
            let cost = active.totals.costIsUnknown ? "cost unknown" : "\(displayMoney(rate.costPerHour))/h"
            let projected = active.totals.costIsUnknown ? "" : "\(displayMoney(rate.projectedCost)), "
            footnotes.insert(contentsOf: [
                "active block, now \(times.time(report.now)): \(cost), \(compactCount(rate.tokensPerMinute)) tokens/min "
                    + "since its first call (\(times.time(active.firstCall)))",
                "at this pace by \(times.time(active.end)): \(projected)\(compactCount(rate.projectedTokens)) tokens",
            ], at: 0)
        }
        return (columns, footnotes)
    }
}

extension BillingBlock {
    /// The block in a few words for a live status line, times in `timeZone`:
    /// `block 10:00-15:00 $0.8412 · $0.31/h → $1.40 by 15:00, 2h13m left`.
    ///
    /// The pace needs the burn rate (only the active block has one); a block whose cost is
    /// unknown (every call unpriced) shows its tokens instead.
    public func statusSummary(now: Int64, timeZone: TimeZone) -> String {
        let times = LocalTimeFormatter(timeZone: timeZone)
        var text = "block \(times.time(start))-\(times.time(end)) "
        text += totals.costIsUnknown ? "\(compactCount(totals.usage.totalTokens)) tokens" : displayMoney(totals.cost)
        if let rate = burnRate {
            if totals.costIsUnknown {
                text += " · \(compactCount(rate.tokensPerMinute)) tokens/min"
            } else {
                text += " · \(displayMoney(rate.costPerHour))/h → \(displayMoney(rate.projectedCost)) by \(times.time(end))"
            }
            let minutesLeft = max(end - now, 0) / 60_000
            text += ", " + (minutesLeft >= 60 ? "\(minutesLeft / 60)h\(String(format: "%02d", minutesLeft % 60))m" : "\(minutesLeft)m") + " left"
        }
        return text
    }
}
