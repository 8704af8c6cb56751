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
    /// Calendar day, week (ISO, starting Monday) or month in the report's time zone.
    case day
    case week
    case month

    /// The names `--by` accepts.
    public static let accepted = "provider, pricing_provider, model, agent, session, tag:KEY, day, week, month"

    /// Parses `provider`, `pricing_provider`, `model`, `agent`, `session`, `tag:KEY`, `day`, `week`, `month`.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "provider": self = .provider
        case "pricing_provider", "pricing-provider": self = .pricingProvider
        case "model": self = .model
        case "agent": self = .agent
        case "session": self = .session
        case "day": self = .day
        case "week": self = .week
        case "month": self = .month
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
        case .day: "day"
        case .week: "week"
        case .month: "month"
        }
    }

    var isTime: Bool {
        switch self {
        case .day, .week, .month: true
        default: false
        }
    }

    /// Whether the hourly rollups can answer it (session, tags and pricing provider need raw rows).
    var isInRollups: Bool {
        switch self {
        case .session, .tag, .pricingProvider: false
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
    /// Ignore the rollups and sum raw rows (tests compare both paths).
    var forceRawRows = false

    public init(
        since: Int64? = nil, until: Int64? = nil, timeZone: TimeZone = .current,
        groupBy: [ReportDimension] = [.model], providers: [String] = [], models: [String] = [],
        agents: [String] = [], tags: [TagFilter] = []
    ) {
        self.since = since
        self.until = until
        self.timeZone = timeZone
        self.groupBy = groupBy
        self.providers = providers
        self.models = models
        self.agents = agents
        self.tags = tags
    }
}

/// One row of a report: the group's key (aligned with `groupBy`; `nil` is "none") and sums.
public struct ReportRow: Sendable, Hashable {
    public var key: [String?]
    public var totals: CallTotals
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
