import ArgumentParser

/// `llm-cost budget`: where the config's budgets stand.
struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget", abstract: "Show and check the budgets of the config file.",
        subcommands: [BudgetStatusCommand.self, BudgetCheckCommand.self])
}
