import Foundation
import LLMCostConfig
import LLMCostCore
import LLMCostPricing
import LLMCostProviders
import LLMCostStore

/// What a configuration sets up: the ledger, the providers, the pricing, and a meter made of
/// them, exactly as the `llm-cost` commands set up their own. A library user writes one line:
///
/// ```swift
/// let meter = try Meter(configuration: .load())
/// ```
extension Configuration {
    /// The ledger at `ledger.path` (default `Ledger.defaultPath()`; a `postgres://` URL opens
    /// the server's, see `Ledger.at`), waiting up to `ledger.busy_timeout_ms` for a lock. `createIfMissing`: a missing file becomes a new
    /// ledger (a recording process); otherwise a mistyped path is an error.
    public func openLedger(createIfMissing: Bool = true, readOnly: Bool = false) throws -> Ledger {
        let timeout = integer("ledger.busy_timeout_ms") ?? 5000
        guard (0...86_400_000).contains(timeout) else {
            throw invalid("ledger.busy_timeout_ms", "expected 0 to 86400000 milliseconds, got \(timeout)")
        }
        let written = string("ledger.path").map { PostgresLocation.hasScheme($0) ? $0 : (path("ledger.path") ?? $0) }
        let location = try LedgerLocation(written ?? Ledger.defaultPath())
        return try Ledger.at(
            location,
            options: Ledger.Options(busyTimeout: .milliseconds(timeout), createIfMissing: createIfMissing, readOnly: readOnly),
            passwordVariable: string("ledger.password_env"),
            warn: { FileHandle.standardError.write(Data(("llm-cost: warning: " + $0 + "\n").utf8)) })
    }

    /// The built-in providers (keys from the process environment) and the `[providers.NAME]`
    /// tables; a table that does not build is reported at its file and line.
    public func providerRegistry(rawLog: RawLogHook? = nil) throws -> ProviderRegistry {
        var registry = ProviderRegistry.fromProcessEnvironment(rawLog: rawLog)
        for table in providers {
            do {
                try registry.configure(tables: [table.name: table.values])
            } catch {
                throw ConfigError.invalidValue(file: table.file, line: table.line, key: "providers.\(table.name)", reason: "\(error)")
            }
        }
        return registry
    }

    /// The built-in price table with the files of `pricing.dir` (default
    /// `$XDG_CONFIG_HOME/llm-cost/pricing`) added and overriding.
    public func priceTable() throws -> PriceTable {
        try PriceTableLoader.load(userDirectory: path("pricing.dir").map { URL(fileURLWithPath: $0, isDirectory: true) })
    }

    /// The pricing calls are priced with: `priceTable()`, a provider configured under a name of
    /// its own priced as its type says (`ProviderSettings.pricedAs`).
    public func pricing() throws -> ConfiguredPricing {
        ConfiguredPricing(table: try priceTable(), pricingProviders: try providerRegistry().pricingProviders)
    }
}

extension Meter {
    /// A meter on the configuration's ledger (created if missing), pricing, `[[budgets]]` and
    /// `[alerts]`: the one the CLI meters its own calls with. Warnings go to standard error.
    public convenience init(configuration: Configuration) throws {
        self.init(
            ledger: try configuration.openLedger(), pricing: try configuration.pricing(),
            budgets: configuration.budgets.map(BudgetDefinition.init), alerts: AlertDispatcher(settings: configuration.alerts))
    }
}
