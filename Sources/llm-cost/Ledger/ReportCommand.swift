import ArgumentParser

/// `llm-cost report`: the spend report by default (`llm-cost report --by agent` is
/// `llm-cost report spend --by agent`), and the estimates' accuracy.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Spend and tokens per provider, model, agent, session, tag, period or 5-hour billing block.",
        discussion: "The spend report's options: `llm-cost report spend --help`.",
        subcommands: [ReportSpendCommand.self, ReportAccuracyCommand.self],
        defaultSubcommand: ReportSpendCommand.self)
}
