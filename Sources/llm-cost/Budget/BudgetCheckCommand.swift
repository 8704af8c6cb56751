import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost budget check NAME`: exit 0 under the limit, 3 at or over it, for scripts.
struct BudgetCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Exit 0 when a budget is under its limit, 3 when it is over.")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The budget's name.") var name: String

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let budgets = configuration.budgets.map(BudgetDefinition.init)
        guard let budget = budgets.first(where: { $0.name == name }) else {
            throw CommandFailure.usage("no budget named \"\(name)\" (configured: \(budgets.map(\.name).joined(separator: ", ")))")
        }
        let report = try BudgetStatusReport(ledger: try ledger.openLedger(configuration, for: .read), budgets: [budget])
        guard let row = report.rows.first else { return }
        FileOutput.standardOutput.write(
            "\(name): spent \(row.usage.spent.formatted(places: 6)) of \(budget.limit.formatted(places: 6))\(row.isOver ? " (over)" : "")\n")
        if row.isOver { throw CommandFailure.budgetRefusedReported }
    }
}
