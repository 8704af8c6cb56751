import ArgumentParser
import Foundation
import LLMCost

/// `llm-cost budget status`: spent, reserved, remaining, share used, period end, projection.
struct BudgetStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Where each budget stands in its current period.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "table or json.") var format: Format = .table

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let report = try BudgetStatusReport(
            ledger: try ledger.openLedger(configuration), budgets: configuration.budgets.map(BudgetDefinition.init))
        FileOutput.standardOutput.write(format == .json ? report.json() : report.table())
    }
}
