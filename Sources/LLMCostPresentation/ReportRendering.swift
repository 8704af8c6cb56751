import Foundation
import LLMCostCore
import LLMCostStore

/// The output formats of `llm-cost report`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table
    case json
    case csv
    case markdown
}

/// Turns a `Report` into text. Every format prints exact decimal costs from integer sums; an
/// unknown cost (every call in the row unpriced) is `unknown`/`null`, never `$0`.
public struct ReportRenderer {
    /// Terminal width the table fits into.
    public var width: Int
    /// Bold headers on a terminal (off when `NO_COLOR` is set or output is not a terminal).
    public var colors: Bool

    public init(width: Int = 80, colors: Bool = false) {
        self.width = width
        self.colors = colors
    }

    public func render(_ report: Report, as format: ReportFormat) -> String {
        switch format {
        case .table: table(report)
        case .json: json(report)
        case .csv: csv(report)
        case .markdown: markdown(report)
        }
    }

    // MARK: JSON (stable: scripts and tests read it)

    /// `{"since":…,"until":…,"timezone":…`: how every JSON report starts.
    func appendWindow(_ query: ReportQuery, to out: inout JSONWriter) {
        out.raw("{\"since\":")
        appendTime(query.since, to: &out)
        out.raw(",\"until\":")
        appendTime(query.until, to: &out)
        out.raw(",\"timezone\":")
        out.string(query.timeZone.identifier)
    }

    public func json(_ report: Report) -> String {
        var out = JSONWriter()
        appendWindow(report.query, to: &out)
        out.raw(",\"group_by\":[")
        for (index, dimension) in report.query.groupBy.enumerated() {
            if index > 0 { out.raw(",") }
            out.string(dimension.description)
        }
        out.raw("],\"rows\":[")
        for (index, row) in report.rows.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"key\":{")
            for (keyIndex, dimension) in report.query.groupBy.enumerated() {
                if keyIndex > 0 { out.raw(",") }
                out.string(dimension.description)
                out.raw(":")
                if let value = row.key[keyIndex] { out.string(value) } else { out.raw("null") }
            }
            out.raw("},")
            if report.showsSessionActivity {
                out.raw("\"first_call\":")
                appendTime(row.firstCall, to: &out)
                out.raw(",\"last_call\":")
                appendTime(row.lastCall, to: &out)
                out.raw(",\"project\":")
                if let project = row.project { out.string(project) } else { out.raw("null") }
                out.raw(",")
            }
            appendMeasures(row.totals, to: &out)
            out.raw("}")
        }
        return closeRowsAndDocument(&out, total: report.total, mapPricedCalls: report.mapPricedCalls)
    }

    func appendTime(_ ms: Int64?, to out: inout JSONWriter) {
        if let ms { out.string(Timestamp.format(milliseconds: ms)) } else { out.raw("null") }
    }

    /// Ends the rows array and the document the same way for every JSON report: the total's
    /// measures and how many calls the LiteLLM map priced.
    func closeRowsAndDocument(_ out: inout JSONWriter, total: CallTotals, mapPricedCalls: Int64) -> String {
        out.raw("],\"total\":{")
        appendMeasures(total, to: &out)
        out.raw("},\"map_priced_calls\":")
        out.integer(mapPricedCalls)
        out.raw("}\n")
        return out.text
    }

    func appendMeasures(_ totals: CallTotals, to out: inout JSONWriter) {
        let fields: [(StaticString, Int64)] = [
            ("\"calls\":", totals.calls),
            (",\"input_tokens\":", totals.usage.inputTokens),
            (",\"output_tokens\":", totals.usage.outputTokens),
            (",\"cache_read_tokens\":", totals.usage.cacheReadTokens),
            (",\"cache_write_tokens\":", totals.usage.cacheWriteTokens),
            (",\"cache_write_5m_tokens\":", totals.usage.cacheWrite5mTokens),
            (",\"cache_write_1h_tokens\":", totals.usage.cacheWrite1hTokens),
            (",\"reasoning_tokens\":", totals.usage.reasoningTokens),
            (",\"web_search_requests\":", totals.usage.webSearchRequests),
        ]
        for (name, value) in fields {
            out.raw(name)
            out.integer(value)
        }
        out.raw(",\"cost_usd\":")
        if totals.costIsUnknown { out.raw("null") } else { out.string(totals.cost.decimalString) }
        out.raw(",\"unpriced_calls\":")
        out.integer(totals.unpricedCalls)
        out.raw(",\"error_calls\":")
        out.integer(totals.errorCalls)
    }

    // MARK: CSV

    public func csv(_ report: Report) -> String {
        var lines: [String] = []
        let activity = report.showsSessionActivity ? ["first_call", "last_call", "project"] : []
        let header = report.query.groupBy.map(\.description) + activity + Self.csvMeasureNames
        lines.append(header.map(csvField).joined(separator: ","))
        func line(_ key: [String?], _ extra: [String], _ totals: CallTotals) -> String {
            (key.map { csvField($0 ?? "") } + extra.map(csvField) + csvMeasures(totals)).joined(separator: ",")
        }
        func activityCells(_ row: ReportRow) -> [String] {
            guard report.showsSessionActivity else { return [] }
            return [row.firstCall.map(Timestamp.format) ?? "", row.lastCall.map(Timestamp.format) ?? "", row.project ?? ""]
        }
        for row in report.rows { lines.append(line(row.key, activityCells(row), row.totals)) }
        var totalKey: [String?] = Array(repeating: "", count: report.query.groupBy.count)
        if !totalKey.isEmpty { totalKey[0] = "TOTAL" }
        lines.append(line(totalKey, activity.map { _ in "" }, report.total))
        return lines.joined(separator: "\n") + "\n"
    }

    static let csvMeasureNames = [
        "calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
        "reasoning_tokens", "web_search_requests", "cost_usd", "unpriced_calls", "error_calls",
    ]

    func csvMeasures(_ totals: CallTotals) -> [String] {
        [
            String(totals.calls), String(totals.usage.inputTokens), String(totals.usage.outputTokens),
            String(totals.usage.cacheReadTokens), String(totals.usage.cacheWriteTokens),
            String(totals.usage.reasoningTokens), String(totals.usage.webSearchRequests),
            totals.costIsUnknown ? "" : totals.cost.decimalString, String(totals.unpricedCalls),
            String(totals.errorCalls),
        ]
    }

    // MARK: Table and Markdown

    typealias Column = TextTable.Column

    /// The columns people read: zero-only token columns are left out to fit 80 columns. With
    /// session grouping, each session's project, first and last call follow the key columns;
    /// `compactTimes` (the table) shows them as `11-20 09:30` and a last call on the first
    /// one's day as `14:02`, Markdown in full.
    private func columns(_ report: Report, compactTimes: Bool) -> (columns: [Column], footnotes: [String]) {
        var columns: [Column] = report.query.groupBy.enumerated().map { index, dimension in
            Column(
                dimension.description.uppercased(), .left,
                cells: report.rows.map { $0.key[index] ?? "(none)" } + [index == 0 ? "TOTAL" : ""], minimumWidth: 12)
        }
        if columns.isEmpty { columns.append(Column("", .left, cells: Array(repeating: "", count: report.rows.count) + ["TOTAL"])) }
        if report.showsSessionActivity {
            let times = LocalTimeFormatter(timeZone: report.query.timeZone)
            columns.append(Column("PROJECT", .left, cells: report.rows.map { $0.project ?? "(none)" } + [""],
                minimumWidth: 12, truncatesLeft: true))
            columns.append(Column("FIRST", .left, cells: report.rows.map { row in
                row.firstCall.map { compactTimes ? times.monthDayTime($0) : times.dateTime($0) } ?? ""
            } + [""]))
            columns.append(Column("LAST", .left, cells: report.rows.map { row in
                guard let last = row.lastCall else { return "" }
                guard compactTimes else { return times.dateTime(last) }
                if let first = row.firstCall, times.sameDay(first, last) { return times.time(last) }
                return times.monthDayTime(last)
            } + [""]))
        }
        let (measures, footnotes) = measureColumns(rows: report.rows.map(\.totals), total: report.total, mapPricedCalls: report.mapPricedCalls)
        return (columns + measures, footnotes)
    }

    /// CALLS ... SHARE (and UNPRICED when any call is) for `rows` and, last, `total`, and the
    /// footnotes they need.
    func measureColumns(rows bodyRows: [CallTotals], total: CallTotals, mapPricedCalls: Int64) -> (columns: [Column], footnotes: [String]) {
        let rows = bodyRows + [total]
        var columns: [Column] = []
        func numeric(_ title: String, alwaysShown: Bool = false, _ value: (CallTotals) -> Int64) {
            guard alwaysShown || rows.contains(where: { value($0) != 0 }) else { return }
            columns.append(Column(title, .right, cells: rows.map { compactCount(value($0)) }))
        }
        numeric("CALLS", alwaysShown: true) { $0.calls }
        numeric("INPUT", alwaysShown: true) { $0.usage.inputTokens }
        numeric("OUTPUT", alwaysShown: true) { $0.usage.outputTokens }
        numeric("C.READ") { $0.usage.cacheReadTokens }
        numeric("C.WRITE") { $0.usage.cacheWriteTokens }
        numeric("REASON") { $0.usage.reasoningTokens }
        var footnotes: [String] = []
        let anyUnpriced = total.unpricedCalls > 0
        columns.append(Column("COST", .right, cells: rows.map { totals in
            if totals.costIsUnknown { return "unknown" }
            return displayMoney(totals.cost) + (totals.unpricedCalls > 0 ? "*" : "")
        }))
        columns.append(Column("SHARE", .right, cells: rows.map { shareText($0, of: total) }))
        if anyUnpriced {
            numeric("UNPRICED", alwaysShown: true) { $0.unpricedCalls }
            footnotes.append(
                "* \(total.unpricedCalls) call\(total.unpricedCalls == 1 ? "" : "s") unpriced (model not in the pricing table): cost unknown, not counted in COST")
        }
        if mapPricedCalls > 0 {
            let count = mapPricedCalls
            footnotes.append(
                "\(count) call\(count == 1 ? "" : "s") priced from the LiteLLM map (models not in the curated table; `llm-cost pricing resolve MODEL` says which key)")
        }
        return (columns, footnotes)
    }

    public func table(_ report: Report) -> String {
        let (columns, footnotes) = columns(report, compactTimes: true)
        return layoutTable(
            columns, keyCount: max(report.query.groupBy.count, 1), rowCount: report.rows.count,
            window: windowDescription(report.query), footnotes: footnotes,
            lastResortWidth: report.showsSessionActivity ? 8 : nil)
    }

    /// Lays `columns` out (each with `rowCount` cells and the total's last) in `width`: too
    /// wide, it first leaves out the least-read columns, then shortens the shortenable ones
    /// (the widest first, down to their minimum; then, with `lastResortWidth`, below it).
    func layoutTable(
        _ columns: [Column], keyCount: Int, rowCount: Int, window: String, footnotes: [String],
        dropOrder: [String] = ["REASON", "C.WRITE", "SHARE", "C.READ"], lastResortWidth: Int? = nil,
        emptyMessage: String = "(no calls in this window)"
    ) -> String {
        var table = TextTable(columns)
        var footnotes = footnotes
        let hidden = table.fit(into: width, dropOrder: dropOrder, keptColumns: keyCount, lastResortWidth: lastResortWidth)
        if !hidden.isEmpty {
            footnotes.append("(\(hidden.joined(separator: ", ")) left out to fit \(width) columns: widen the terminal or use --format json)")
        }
        let (header, rows) = table.headerAndRows
        var lines = [colors ? "\u{1B}[1m\(header ?? "")\u{1B}[0m" : header ?? ""]
        lines += rows.prefix(rowCount)
        lines.append(String(repeating: "-", count: min(width, table.totalWidth(table.widths))))
        lines.append(rows[rowCount])
        if rowCount == 0 { lines.insert(emptyMessage, at: 1) }
        lines.append("")
        lines.append(window)
        lines.append(contentsOf: footnotes)
        return lines.joined(separator: "\n") + "\n"
    }

    public func markdown(_ report: Report) -> String {
        let (columns, footnotes) = columns(report, compactTimes: false)
        return markdownTable(columns, rowCount: report.rows.count, window: windowDescription(report.query), footnotes: footnotes)
    }

    func markdownTable(_ columns: [Column], rowCount: Int, window: String, footnotes: [String]) -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var lines = [line(columns.map(\.title)), "|" + columns.map { $0.alignment == .right ? "---:|" : "---|" }.joined()]
        for row in 0..<rowCount { lines.append(line(columns.map { $0.cells[row] })) }
        lines.append(line(columns.map { "**\($0.cells[rowCount])**" }.map { $0 == "****" ? "" : $0 }))
        lines.append("")
        lines.append(window)
        for footnote in footnotes { lines.append("") ; lines.append(footnote.replacingOccurrences(of: "*", with: "\\*")) }
        return lines.joined(separator: "\n") + "\n"
    }

    func windowDescription(_ query: ReportQuery) -> String {
        func local(_ ms: Int64?) -> String {
            guard let ms else { return "-" }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = query.timeZone
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(ms) / 1000))
        }
        let since = query.since == nil ? "the first call" : local(query.since)
        let until = query.until == nil ? "now" : local(query.until)
        return "window: \(since) to \(until) (\(query.timeZone.identifier))"
    }
}

extension Report {
    /// Whether rows carry each session's first and last call and project.
    var showsSessionActivity: Bool { query.groupBy.contains(.session) }
}

/// Instants as local times of a zone, in the forms the tables print.
struct LocalTimeFormatter {
    let timeZone: TimeZone

    init(timeZone: TimeZone) { self.timeZone = timeZone }

    private func local(_ ms: Int64) -> (civil: (year: Int, month: Int, day: Int), minuteOfDay: Int) {
        let seconds = floorDiv(ms, 1000)
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let local = seconds + offset
        return (Timestamp.civilFromDays(Int(floorDiv(local, 86_400))), Int(floorDiv(local, 60) - floorDiv(local, 86_400) * 1440))
    }

    /// `2026-11-20 09:30`
    func dateTime(_ ms: Int64) -> String {
        let (civil, minute) = local(ms)
        return String(format: "%04d-%02d-%02d %02d:%02d", civil.year, civil.month, civil.day, minute / 60, minute % 60)
    }

    /// `11-20 09:30`
    func monthDayTime(_ ms: Int64) -> String {
        let (civil, minute) = local(ms)
        return String(format: "%02d-%02d %02d:%02d", civil.month, civil.day, minute / 60, minute % 60)
    }

    /// `09:30`
    func time(_ ms: Int64) -> String {
        let minute = local(ms).minuteOfDay
        return String(format: "%02d:%02d", minute / 60, minute % 60)
    }

    func sameDay(_ first: Int64, _ second: Int64) -> Bool {
        local(first).civil == local(second).civil
    }
}

/// A row's share of the total cost in tenths of a percent, rounded half up in integers
/// (`12.3%`); `-` when the total has no cost or the row's cost is unknown.
func shareText(_ totals: CallTotals, of total: CallTotals) -> String {
    guard total.cost.nanoUSD > 0, !totals.costIsUnknown else { return "-" }
    let permille = (Int128(totals.cost.nanoUSD) * 2000 / Int128(total.cost.nanoUSD) + 1) / 2
    return "\(permille / 10).\(permille % 10)%"
}

/// `1,234`, `12.3k`, `4.56M`, `7.89B`: counts that fit a narrow column.
func compactCount(_ value: Int64) -> String {
    let magnitude = value.magnitude
    let sign = value < 0 ? "-" : ""
    func scaled(_ divisor: UInt64, _ suffix: String) -> String {
        let tenths = (magnitude * 100 / divisor + 5) / 10  // one decimal place, rounded half up
        return "\(sign)\(tenths / 10).\(tenths % 10)\(suffix)"
    }
    switch magnitude {
    case ..<10_000:
        return value >= 1000 || value <= -1000 ? "\(sign)\(magnitude / 1000),\(String(format: "%03d", Int(magnitude % 1000)))" : String(value)
    case ..<999_950: return scaled(1000, "k")
    case ..<999_950_000: return scaled(1_000_000, "M")
    default: return scaled(1_000_000_000, "B")
    }
}

/// Dollars with cents; under a cent, at least four places and enough for two significant
/// digits (up to nine), so a small cost never reads $0.00 or $0.0000.
func displayMoney(_ money: Money) -> String {
    let magnitude = money.nanoUSD.magnitude
    guard magnitude != 0 && magnitude < 10_000_000 else { return money.formatted(places: 2) }
    var places = 4
    var smallestShown: UInt64 = 100_000  // one unit in the last of `places` decimals, in nano-dollars
    while places < 9 && magnitude < smallestShown * 10 {
        places += 1
        smallestShown /= 10
    }
    return money.formatted(places: places)
}

func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
