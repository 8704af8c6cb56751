import Foundation
import LLMCostCore
import LLMCostTOML

/// One `[[budgets]]` table, checked: every value well-typed and in range, money exact.
///
/// ```toml
/// [[budgets]]
/// name = "research-daily"
/// agent = "researcher"        # or provider = / model = / tag = "team=search"; none: all calls
/// period = "day"              # day, week, month, total
/// timezone = "Europe/Paris"   # default UTC
/// limit_usd = 5.00            # exact: read as a decimal, never a binary float
/// alerts = [0.5, 0.8, 1.0]    # shares of the limit that alert once per period
/// action = "block"            # warn (default) or block
/// wait_ms = 30000             # block: how long a call may wait for calls in flight to settle
/// unpriced = "refuse"         # block: refuse (default) or allow calls of models without a price
/// ```
public struct BudgetSettings: Sendable, Hashable {
    /// Which calls the budget counts.
    public enum Scope: Sendable, Hashable {
        case all
        case provider(String)
        case model(String)
        case agent(String)
        case tag(key: String, value: String)
    }

    public var name: String
    public var scope: Scope
    /// `day`, `week`, `month` or `total`.
    public var period: String
    /// An IANA zone name (or `UTC`) the period is calendar-aligned in.
    public var timeZone: TimeZone
    public var limit: Money
    /// Alert thresholds in basis points of the limit (0.8 → 8000), ascending.
    public var alertThresholdsBasisPoints: [Int64]
    /// `warn` or `block`.
    public var action: String
    /// How long a call refused only because of other calls' reservations waits for them to
    /// settle before it is refused (`wait_ms`; 0: refuse at once).
    public var waitMilliseconds: Int64 = 30_000
    /// Whether a `block` budget lets through calls it cannot price (`unpriced = "allow"`).
    public var allowsUnpriced = false
    /// Where the table is written, for messages about it.
    public var file: String
    public var line: Int?

    /// Keys a `[[budgets]]` table accepts.
    public static let keys = [
        "name", "provider", "model", "agent", "tag", "period", "timezone", "limit_usd", "alerts", "action", "wait_ms",
        "unpriced",
    ]
    static let periods = ["day", "week", "month", "total"]
    static let actions = ["warn", "block"]
    static let unpricedPolicies = ["refuse", "allow"]
    /// The longest `wait_ms`: an hour.
    static let maximumWaitMilliseconds: Int64 = 3_600_000

    /// Reads the `index`th `[[budgets]]` table.
    static func read(
        _ table: TOMLTable, index: Int, file: String, environment: [String: String]
    ) throws(ConfigError) -> BudgetSettings {
        let tableLine: Int? = table.position.line
        var values: [String: (value: ConfigValue, line: Int?)] = [:]
        for entry in table {
            let key = entry.key
            let line: Int? = entry.keyPosition.line
            guard keys.contains(key) else {
                throw .unknownKey(file: file, line: line, key: "budgets[\(index)].\(key)", known: keys)
            }
            values[key] = (try Configuration.convert(entry.value, key: key, file: file, line: line, environment: environment), line)
        }
        func string(_ key: String) throws(ConfigError) -> String? {
            guard let entry = values[key] else { return nil }
            guard case .string(let text) = entry.value, !text.isEmpty else {
                throw .wrongType(file: file, line: entry.line, key: "budgets[\(index)].\(key)", expected: "a non-empty string")
            }
            return text
        }
        func invalid(_ key: String, _ reason: String) -> ConfigError {
            .invalidValue(file: file, line: values[key]?.line ?? tableLine, key: "budgets[\(index)].\(key)", reason: reason)
        }

        guard let name = try string("name") else { throw invalid("name", "every budget needs a name") }
        var scopes: [Scope] = []
        if let provider = try string("provider") { scopes.append(.provider(provider)) }
        if let model = try string("model") { scopes.append(.model(model)) }
        if let agent = try string("agent") { scopes.append(.agent(agent)) }
        if let tag = try string("tag") {
            let parts = tag.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw invalid("tag", "expected key=value, got \"\(tag)\"") }
            scopes.append(.tag(key: parts[0], value: parts[1]))
        }
        guard scopes.count <= 1 else {
            throw invalid("name", "budget \"\(name)\" sets more than one of provider, model, agent, tag; give at most one")
        }
        let period = try string("period") ?? "month"
        guard periods.contains(period) else {
            throw invalid("period", "expected one of \(periods.joined(separator: ", ")), got \"\(period)\"")
        }
        let zoneName = try string("timezone") ?? "UTC"
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw invalid("timezone", "unknown time zone \"\(zoneName)\" (an IANA name like Europe/Paris, or UTC)")
        }
        let action = try string("action") ?? "warn"
        guard actions.contains(action) else { throw invalid("action", "expected warn or block, got \"\(action)\"") }
        guard let limitEntry = values["limit_usd"] else { throw invalid("limit_usd", "budget \"\(name)\" needs limit_usd") }
        guard let limit = exactMoney(limitEntry.value), limit >= .zero else {
            throw invalid("limit_usd", "expected a non-negative USD amount (a number or a decimal string), got \(limitEntry.value)")
        }
        var thresholds: [Int64] = []
        if let alertsEntry = values["alerts"] {
            guard case .array(let items) = alertsEntry.value else {
                throw .wrongType(file: file, line: alertsEntry.line, key: "budgets[\(index)].alerts", expected: "an array of shares like [0.5, 0.8, 1.0]")
            }
            for item in items {
                guard let basisPoints = shareBasisPoints(item), basisPoints > 0, basisPoints <= 100_000 else {
                    throw invalid("alerts", "expected shares of the limit above 0 (0.8 is 80%), got \(item)")
                }
                thresholds.append(basisPoints)
            }
        }
        var waitMilliseconds: Int64 = 30_000
        if let waitEntry = values["wait_ms"] {
            guard case .integer(let milliseconds) = waitEntry.value else {
                throw .wrongType(file: file, line: waitEntry.line, key: "budgets[\(index)].wait_ms", expected: "an integer of milliseconds")
            }
            guard (0...maximumWaitMilliseconds).contains(milliseconds) else {
                throw invalid("wait_ms", "expected 0 to \(maximumWaitMilliseconds) milliseconds (an hour), got \(milliseconds)")
            }
            waitMilliseconds = milliseconds
        }
        let unpriced = try string("unpriced") ?? "refuse"
        guard unpricedPolicies.contains(unpriced) else { throw invalid("unpriced", "expected refuse or allow, got \"\(unpriced)\"") }
        var settings = BudgetSettings(
            name: name, scope: scopes.first ?? .all, period: period, timeZone: timeZone, limit: limit,
            alertThresholdsBasisPoints: Array(Set(thresholds)).sorted(), action: action, file: file, line: tableLine)
        settings.waitMilliseconds = waitMilliseconds
        settings.allowsUnpriced = unpriced == "allow"
        return settings
    }

    /// A USD amount, exactly: TOML floats arrive as their decimal text, strings are parsed as written.
    static func exactMoney(_ value: ConfigValue) -> Money? {
        switch value {
        case .integer(let dollars):
            let (nano, overflow) = dollars.multipliedReportingOverflow(by: Money.unitsPerDollar)
            return overflow ? nil : Money(nanoUSD: nano)
        case .decimal(let text), .string(let text): return Money(decimalUSD: text)
        default: return nil
        }
    }

    private static func shareBasisPoints(_ value: ConfigValue) -> Int64? {
        switch value {
        case .integer(let whole): return whole.multipliedReportingOverflow(by: 10_000).overflow ? nil : whole * 10_000
        case .decimal(let text), .string(let text): return ExactDecimal(text)?.rounded(toScale: 4)
        default: return nil
        }
    }
}
