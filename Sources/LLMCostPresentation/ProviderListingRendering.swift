import Foundation
import LLMCostProviders

extension ProviderListing {
    /// NAME, TYPE, MODEL, BASE URL, AUTH (the key variable's state, or the sign-in and until when) and, given a pricing, PRICING; advice for each
    /// unpriced provider after the table.
    public func table(now: Date = Date()) -> String {
        var advice: [String] = []
        let rows = registry.allSettings.map { settings -> [String] in
            if let router = settings.router {
                // A router's model, URL, key and price are its candidates'.
                let candidates = router.candidates.map(\.description).joined(separator: ", ")
                return [settings.name, "router (\(router.strategy.rawValue))", candidates, "-", "-"] + (pricing == nil ? [] : ["per candidate"])
            }
            var row = [settings.name, settings.type, settings.model ?? "-", baseURL(settings), authStatus(settings, now: now)]
            switch pricingStatus(settings, now: now) {
            case .priced(let entry, let free)?: row.append(free ? "\(entry) ($0)" : entry)
            case .unpriced?:
                row.append("UNPRICED")
                advice.append(unpricedAdvice(settings))
            case .noModel?: row.append("- (no model)")
            case nil: break
            }
            return row
        }
        let header = ["NAME", "TYPE", "MODEL", "BASE URL", "AUTH"] + (pricing == nil ? [] : ["PRICING"])
        let lines = TextTable(header: header, rows: rows).lines
        return (lines + (advice.isEmpty ? [] : [""] + advice)).joined(separator: "\n")
    }
}
