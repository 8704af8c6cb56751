import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost budget status`: spent, reserved, remaining, share used, period end, projection.
struct BudgetStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Where each budget stands in its current period.",
        discussion: """
            spent: recorded cost of the budget's calls this period. reserved: worst-case cost held \
            by calls in flight (block budgets). used: (spent + reserved) / limit. overrun: what \
            calls cost beyond the worst case they reserved; a block budget's spend can pass its \
            limit by at most this (none while the estimates hold).

            projected = spent × (period length ÷ time elapsed in the period) + reserved: the \
            current burn rate carried to the period's end, plus calls in flight counted once. \
            None for a `total` budget.

            --format json prints an array, one object per budget: name, scope, action, period, \
            spent_usd, reserved_usd, remaining_usd, limit_usd (decimal strings of USD), over \
            (bool), share_used_bp (integer basis points or null), overrun_calls (integer), \
            overrun_usd, period_end_ms (ms since 1970 or null), projected_usd (string or null).
            """)


    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var formatOption: FormatOption<TableOrJSON>

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let report = try BudgetStatusReport(
            ledger: try ledger.openLedger(configuration, for: .read), budgets: configuration.budgets.map(BudgetDefinition.init))
        FileOutput.standardOutput.write(formatOption.format == .json ? report.json() : report.table())
    }
}
