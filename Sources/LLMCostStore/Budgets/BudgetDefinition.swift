import Foundation
import LLMCostCore

/// Which calls a budget counts.
public enum BudgetScope: Sendable, Hashable, CustomStringConvertible {
    /// Every call in the ledger.
    case all
    case provider(String)
    case model(String)
    case agent(String)
    /// Calls carrying the tag `key=value`.
    case tag(key: String, value: String)

    public var description: String {
        switch self {
        case .all: "all calls"
        case .provider(let name): "provider \(name)"
        case .model(let name): "model \(name)"
        case .agent(let name): "agent \(name)"
        case .tag(let key, let value): "tag \(key)=\(value)"
        }
    }

    /// Whether a call with these names counts against the budget.
    public func matches(provider: String, model: String, agent: String?, tags: [String: String]) -> Bool {
        switch self {
        case .all: true
        case .provider(let name): provider == name
        case .model(let name): model == name
        case .agent(let name): agent == name
        case .tag(let key, let value): tags[key] == value
        }
    }
}

/// What a budget does when a call would go over it.
public enum BudgetAction: String, Sendable, Hashable {
    /// Log (and alert), never refuse.
    case warn
    /// Refuse the call before anything is sent.
    case block
}

/// One budget: a limit on the spend of some calls over a calendar period.
public struct BudgetDefinition: Sendable, Hashable {
    public var name: String
    public var scope: BudgetScope
    public var period: BudgetPeriod
    /// The zone the period's calendar boundaries are drawn in.
    public var timeZone: TimeZone
    public var limit: Money
    /// Shares of the limit that alert once per period, in basis points (8000 = 80%), ascending.
    public var alertThresholdsBasisPoints: [Int64]
    public var action: BudgetAction
    /// `block`: how long a call that would fit but for other calls' reservations waits for them
    /// to settle before it is refused (0: refuse at once).
    public var wait: Duration
    /// `block`: whether calls the pricing cannot price are let through (never counted) instead
    /// of refused. Explicitly free models ($0 entries) are always let through.
    public var allowsUnpriced: Bool

    public init(
        name: String, scope: BudgetScope = .all, period: BudgetPeriod = .month, timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current,
        limit: Money, alertThresholdsBasisPoints: [Int64] = [], action: BudgetAction = .warn, wait: Duration = .seconds(30),
        allowsUnpriced: Bool = false
    ) {
        self.name = name
        self.scope = scope
        self.period = period
        self.timeZone = timeZone
        self.limit = limit
        self.alertThresholdsBasisPoints = alertThresholdsBasisPoints.sorted()
        self.action = action
        self.wait = wait
        self.allowsUnpriced = allowsUnpriced
    }

    /// The period window that contains `date`.
    public func window(containing date: Date) -> BudgetWindow {
        period.window(containing: date, timeZone: timeZone)
    }
}
