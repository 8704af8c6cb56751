import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost report accuracy`: how close the meter's input estimates came to the providers'
/// counts, per model, raw and corrected, with the correction factor now in force.
struct ReportAccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Estimate vs actual input tokens per model: median and p90 error, raw and corrected, and the correction now in force.")

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var window: TimeWindowOptions

    @OptionGroup var formatOption: FormatOption<TableOrJSON>

    @Option(help: .hidden) var now: String?

    func run() throws {
        try Self.write(ledger: ledger, window: window, now: now, format: formatOption.format)
    }

    /// The report, also reached through `report --accuracy` (deprecated).
    static func write(ledger: LedgerOptions, window: TimeWindowOptions, now: String?, format: TableOrJSON) throws {
        let configuration = try ledger.loadConfiguration()
        let (since, until, _, _) = try window.resolve(configuration, now: now)
        let report = try EstimateAccuracy(ledger: try ledger.openLedger(configuration, for: .read), since: since, until: until)
        FileOutput.standardOutput.write(format == .json ? report.json() : report.table())
    }
}
