import Foundation
import LLMCostCore
import LLMCostMetering
import LLMCostPricing
import LLMCostStore

/// Everything the HTML report shows, read from the ledger: the report asked for and the panels
/// around it. Plain values; the page renders them and reads nothing else.
///
/// Every figure comes from the ledger's own reports, so the page's totals are the JSON
/// report's totals to the nano-dollar.
public struct SpendOverview: Sendable {
    /// The report as asked for (`--by`, window, filters): the breakdown table and the headline.
    public var breakdown: Report
    /// The buckets of the spend-over-time chart: `hour`, `day`, `week` or `month`, by the span.
    public var timeUnit: ReportDimension
    /// Every bucket of the window in order, empty ones included, labelled as reports label them.
    public var buckets: [String]
    /// What the chart's bars are stacked by: the first grouping that is not time (model if none).
    public var stackedBy: ReportDimension
    /// Grouped by `[timeUnit, stackedBy]`.
    public var overTime: Report
    public var byModel: Report
    public var byAgent: Report
    /// Grouped by session, the most expensive first: `sessionsShown` of them and a little more
    /// (read from the per-session rollups, so a ledger of millions of sessions costs nothing).
    public var sessions: Report
    /// How many sessions the page lists.
    public static let sessionsShown = 10
    /// The configured budgets as they stand now (empty when none are configured).
    public var budgets: BudgetStatusReport
    /// Estimate accuracy per model; no rows when the window has no metered estimates.
    public var accuracy: EstimateAccuracy
    public var cache: CacheEfficiency
    /// When the overview was read (ms since 1970 UTC).
    public var generatedAt: Int64

    /// Reads the overview for `query` (its groupings are the breakdown's; block is not drawn).
    /// Without `pricing` (the table could not be loaded) the page has every stored cost, and
    /// only the cache panel's dollars are missing.
    /// Without a window start or end, the ledger's first and last call bound the time axis.
    public init(
        ledger: Ledger, query: ReportQuery, budgets: [BudgetDefinition], pricing: PriceTable?, now: Date = Date()
    ) throws {
        let sessionsShown = Self.sessionsShown
        let nowMilliseconds = query.now ?? Int64((now.timeIntervalSince1970 * 1000).rounded())
        generatedAt = nowMilliseconds
        breakdown = try ledger.report(query)
        let span = try ledger.callTimeSpan(since: query.since, until: query.until)
        let start = query.since ?? span?.first
        let end = query.until ?? span.map { $0.last + 1 }
        let unit = Self.timeUnit(from: start, to: end)
        timeUnit = unit
        if let start, let end {
            buckets = TimeBuckets.labels(unit: unit, from: start, to: end, timeZone: query.timeZone)
        } else {
            buckets = []
        }
        stackedBy = query.groupBy.first { !$0.isTime } ?? .model

        func regrouped(_ groupBy: [ReportDimension]) -> ReportQuery {
            var copy = query
            copy.groupBy = groupBy
            copy.limit = nil  // --top cuts the breakdown, not the panels
            return copy
        }
        overTime = try ledger.report(regrouped([timeUnit, stackedBy]))
        byModel = try ledger.report(regrouped([.model]))
        byAgent = try ledger.report(regrouped([.agent]))
        var topSessions = regrouped([.session])
        // One more than shown: the one left out (besides calls without a session) says there are more.
        topSessions.limit = sessionsShown + 2
        sessions = try ledger.report(topSessions)
        let nowDate = Date(timeIntervalSince1970: Double(nowMilliseconds) / 1000)
        self.budgets = try BudgetStatusReport(ledger: ledger, budgets: budgets, now: nowDate)
        accuracy = try EstimateAccuracy(ledger: ledger, since: query.since, until: query.until, now: nowDate)
        let priceTime = Date(timeIntervalSince1970: Double(min(end ?? nowMilliseconds, nowMilliseconds)) / 1000)
        cache = CacheEfficiency(rows: try ledger.report(regrouped([.provider, .model])).rows, pricing: pricing, at: priceTime)
    }

    /// Hours up to two days, days up to three months, weeks up to two years, months beyond.
    static func timeUnit(from start: Int64?, to end: Int64?) -> ReportDimension {
        guard let start, let end else { return .day }
        let days = Double(end - start) / 86_400_000
        if days <= 2 { return .hour }
        if days <= 92 { return .day }
        if days <= 731 { return .week }
        return .month
    }
}

/// The labels of consecutive time buckets, as the ledger's reports label them.
enum TimeBuckets {
    /// Every `unit` bucket that `[start, end)` touches, in `timeZone`, in order and once each
    /// (the hour repeated when clocks go back is one bucket, as in the report).
    static func labels(unit: ReportDimension, from start: Int64, to end: Int64, timeZone: TimeZone) -> [String] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let component: Calendar.Component
        switch unit {
        case .hour: component = .hour
        case .week: component = .weekOfYear
        case .month: component = .month
        default: component = .day
        }
        let last = Date(timeIntervalSince1970: Double(end) / 1000)
        guard var cursor = calendar.dateInterval(of: component, for: Date(timeIntervalSince1970: Double(start) / 1000))?.start,
            end > start
        else { return [] }
        var labels: [String] = []
        var seen = Set<String>()
        // A bound far above any report's bucket count keeps a calendar oddity from looping.
        while cursor < last, labels.count < 20_000 {
            let label = self.label(cursor, unit: unit, calendar: calendar)
            if seen.insert(label).inserted { labels.append(label) }
            guard let next = calendar.date(byAdding: component, value: 1, to: cursor), next > cursor else { break }
            cursor = next
        }
        return labels
    }

    private static func label(_ date: Date, unit: ReportDimension, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: date)
        let (year, month, day, hour) = (parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0)
        switch unit {
        case .hour: return String(format: "%04d-%02d-%02d %02d:00", year, month, day, hour)
        case .month: return String(format: "%04d-%02d", year, month)
        default: return String(format: "%04d-%02d-%02d", year, month, day)
        }
    }
}
