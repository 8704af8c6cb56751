import Foundation

/// What a report groups by.
public enum ReportDimension: Hashable, Sendable, CustomStringConvertible {
    case provider
    /// The provider whose prices apply: a provider configured under a name of its own (`work`,
    /// of type `openai`) groups under `openai`; others under their own name.
    case pricingProvider
    case model
    case agent
    case session
    /// The value of one tag key (calls without the tag group under "none").
    case tag(String)
    /// Hour (`2026-11-20 14:00`), calendar day, week (ISO, starting Monday) or month in the
    /// report's time zone.
    case hour
    case day
    case week
    case month
    /// 5-hour billing blocks, as Claude subscriptions count usage (see `BillingBlock`). Not a
    /// grouping of `Ledger.report`: blocks are computed by `Ledger.blockReport` and
    /// `Ledger.billingBlocks`, and combine with no other grouping.
    case block

    /// The names `--by` accepts.
    public static let accepted = "provider, pricing_provider, model, agent, session, tag:KEY, hour, day, week, month, block"

    /// Parses `provider`, `pricing_provider`, `model`, `agent`, `session`, `tag:KEY`, `hour`, `day`, `week`, `month`, `block`.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "provider": self = .provider
        case "pricing_provider", "pricing-provider": self = .pricingProvider
        case "model": self = .model
        case "agent": self = .agent
        case "session": self = .session
        case "hour": self = .hour
        case "day": self = .day
        case "week": self = .week
        case "month": self = .month
        case "block": self = .block
        default:
            guard text.lowercased().hasPrefix("tag:"), text.count > 4 else { return nil }
            self = .tag(String(text.dropFirst(4)))
        }
    }

    public var description: String {
        switch self {
        case .provider: "provider"
        case .pricingProvider: "pricing_provider"
        case .model: "model"
        case .agent: "agent"
        case .session: "session"
        case .tag(let key): "tag:\(key)"
        case .hour: "hour"
        case .day: "day"
        case .week: "week"
        case .month: "month"
        case .block: "block"
        }
    }

    /// Hour, day, week or month: rows in time order.
    public var isTime: Bool {
        switch self {
        case .hour, .day, .week, .month: true
        default: false
        }
    }

    /// Whether the hourly rollups can answer it (session, tags and pricing provider need raw rows).
    var isInRollups: Bool {
        switch self {
        case .session, .tag, .pricingProvider, .block: false
        default: true
        }
    }
}

/// A `key=value` tag a report is restricted to.
public struct TagFilter: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key=value`.
    public init?(_ text: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        key = String(text[..<equals])
        value = String(text[text.index(after: equals)...])
    }
}

/// Which calls a report covers and how it groups them.
public struct ReportQuery: Sendable {
    /// Start of the window, inclusive, ms since 1970 UTC; `nil` for the beginning.
    public var since: Int64?
    /// End of the window, exclusive; `nil` for no end.
    public var until: Int64?
    /// The zone that days, weeks and months are calendar-aligned in.
    public var timeZone: TimeZone
    public var groupBy: [ReportDimension]
    public var providers: [String] = []
    public var models: [String] = []
    public var agents: [String] = []
    /// Filters on one key match any of their values (`team=a`, `team=b`: either team); filters
    /// on different keys must all match.
    public var tags: [TagFilter] = []
    /// The current time, ms since 1970 UTC; `nil`: the clock. Only billing blocks read it (which
    /// block is active, its burn rate); injectable so that tests and `--now` are deterministic.
    public var now: Int64?
    /// Only this many rows, the most expensive (in the report's order); the total still covers
    /// every call. `nil`: every row. What a panel of the top few sessions asks for.
    public var limit: Int?
    /// Ignore the rollups and sum raw rows (tests compare both paths).
    var forceRawRows = false

    public init(
        since: Int64? = nil, until: Int64? = nil, timeZone: TimeZone = .current,
        groupBy: [ReportDimension] = [.model], providers: [String] = [], models: [String] = [],
        agents: [String] = [], tags: [TagFilter] = [], now: Int64? = nil
    ) {
        self.since = since
        self.until = until
        self.timeZone = timeZone
        self.groupBy = groupBy
        self.providers = providers
        self.models = models
        self.agents = agents
        self.tags = tags
        self.now = now
    }

    /// `now`, else the clock.
    var resolvedNow: Int64 { now ?? Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Checks the groupings: `block` combined with another grouping is refused (a block is a
    /// span of time over all the calls of its 5 hours, not a key some of them share).
    public func validate() throws(ReportQueryError) {
        if groupBy.contains(.block), groupBy.count > 1 {
            throw .blockCombined(with: groupBy.filter { $0 != .block }.map(\.description))
        }
    }
}

/// A report that cannot be computed as asked, and what to ask instead.
public struct ReportQueryError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case blockCombined([String])
        case blockInGroupedReport
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    static func blockCombined(with others: [String]) -> ReportQueryError { .init(.blockCombined(others)) }
    static let blockInGroupedReport = ReportQueryError(.blockInGroupedReport)

    /// `block` was asked together with other groupings.
    public var isBlockCombined: Bool {
        if case .blockCombined = code { return true }
        return false
    }

    public var description: String {
        switch code {
        case .blockCombined(let others):
            return "block cannot be combined with other groupings (\(others.joined(separator: ", "))): "
                + "a billing block spans all the calls of its 5 hours; narrow it with --provider, --model, --agent or --tag instead"
        case .blockInGroupedReport:
            return "billing blocks are not a grouping of report(_:); use blockReport(_:) or billingBlocks(_:)"
        }
    }
}

/// One row of a report: the group's key (aligned with `groupBy`; `nil` is "none") and sums.
public struct ReportRow: Sendable, Hashable {
    public var key: [String?]
    public var totals: CallTotals
    /// When `session` is among the groupings: the time of the row's first and last call in the
    /// window (ms since 1970 UTC); `nil` otherwise.
    public var firstCall: Int64? = nil
    public var lastCall: Int64? = nil
    /// When `session` is among the groupings: the `project` tag of the row's latest call that
    /// has one (agent-log imports tag every call with its working directory). The latest, not
    /// the most frequent: a session that moved to another folder is shown where it now works.
    /// `nil` when no call of the row has the tag, or without session grouping.
    public var project: String? = nil
}

/// A finished report. `total` is the exact integer sum of the rows.
public struct Report: Sendable {
    public var query: ReportQuery
    public var rows: [ReportRow]
    public var total: CallTotals
    /// How it was computed (`rollups`, `rollups+raw edges`, `raw`), for benchmarks and `--explain`.
    public var plan: String
    /// How many of the calls in the window (and filters) were priced from the LiteLLM map
    /// snapshot rather than the curated table (`pricing_entry` starting with `litellm@`).
    public var mapPricedCalls: Int64 = 0
}
