import LLMCostConfig
import LLMCostStore

extension BudgetDefinition {
    /// The ledger's budget for a checked `[[budgets]]` table.
    public init(_ settings: BudgetSettings) {
        let scope: BudgetScope = switch settings.scope {
        case .all: .all
        case .provider(let name): .provider(name)
        case .model(let name): .model(name)
        case .agent(let name): .agent(name)
        case .tag(let key, let value): .tag(key: key, value: value)
        }
        self.init(
            name: settings.name, scope: scope, period: BudgetPeriod(rawValue: settings.period) ?? .month,
            timeZone: settings.timeZone, limit: settings.limit,
            alertThresholdsBasisPoints: settings.alertThresholdsBasisPoints,
            action: BudgetAction(rawValue: settings.action) ?? .warn, wait: .milliseconds(settings.waitMilliseconds),
            allowsUnpriced: settings.allowsUnpriced)
    }
}
