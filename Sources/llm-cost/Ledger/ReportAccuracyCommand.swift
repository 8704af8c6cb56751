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

    @Option(help: ArgumentHelp("Start of the window: \(TimeExpression.accepted).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("End of the window (exclusive; a bare date includes that whole day).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Time zone for dates (default: report.timezone, local).", valueName: "zone"))
    var tz: String?

    @OptionGroup var formatOption: FormatOption<TableOrJSON>

    @Option(help: .hidden) var now: String?

    func run() throws {
        try Self.write(ledger: ledger, since: since, until: until, tz: tz, now: now, format: formatOption.format)
    }

    /// The report, also reached through `report --accuracy` (deprecated).
    static func write(ledger: LedgerOptions, since: String?, until: String?, tz: String?, now: String?, format: TableOrJSON) throws {
        let configuration = try ledger.loadConfiguration()
        let zone = try resolveTimeZone(tz, configuration: configuration)
        let nowMilliseconds = try resolveTime(now, flag: "--now", timeZone: zone, isEnd: false)
        let clock = nowMilliseconds.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? Date()
        let report = try EstimateAccuracy(
            ledger: try ledger.openLedger(configuration, for: .read),
            since: try resolveTime(since, flag: "--since", timeZone: zone, isEnd: false, now: clock),
            until: try resolveTime(until, flag: "--until", timeZone: zone, isEnd: true, now: clock))
        FileOutput.standardOutput.write(format == .json ? report.json() : report.table())
    }
}
