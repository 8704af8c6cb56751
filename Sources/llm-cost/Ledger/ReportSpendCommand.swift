import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost report [spend]`: the spend report, the default of `report`.
struct ReportSpendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spend",
        abstract: "Spend and tokens per provider, model, agent, session, tag, period or 5-hour billing block (the default).",
        discussion: """
            Costs are exact sums; calls of models missing from the pricing table are counted as \
            unpriced and their cost shown as unknown, never $0. Input is uncached input; cache \
            reads and writes have their own columns. By session, each row also shows the \
            session's project (the project tag of its latest call) and its first and last call. \
            By block: 5-hour billing blocks as Claude subscriptions count them (a block starts \
            at its first call's UTC hour; the next call at or after its end starts the next), \
            the active one with its burn rate and projection; --since/--until pick the blocks \
            shown, never move their boundaries; block combines with no other grouping.

            --format html writes one self-contained page (no network needed to view it): headline \
            figures, spend over time stacked by the first grouping, the breakdown, spend by model \
            and agent, budgets, the most expensive sessions, cache efficiency and estimate \
            accuracy. Its totals are the JSON report's, exactly.
            """)

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var window: TimeWindowOptions

    @Option(name: .customLong("by"), parsing: .singleValue,
            help: ArgumentHelp("Group by \(ReportDimension.accepted); repeat or comma-separate (default: model).", valueName: "key"))
    var groupBy: [String] = []

    @Option(help: ArgumentHelp("Only this provider (repeatable).", valueName: "name")) var provider: [String] = []
    @Option(help: ArgumentHelp("Only this model (repeatable).", valueName: "name")) var model: [String] = []
    @Option(help: ArgumentHelp("Only this agent (repeatable).", valueName: "name")) var agent: [String] = []
    @Option(help: ArgumentHelp("Only calls with this tag (repeatable: one key's values are alternatives, different keys must all match).", valueName: "key=value")) var tag: [String] = []

    @Option(help: ArgumentHelp("Only the N most expensive rows; the total still covers every call. Not with time groupings (their rows are in time order).", valueName: "n"))
    var top: Int?

    /// Given, it wins over `report.format` in the configuration (whose default is table).
    @OptionGroup var formatOption: FormatOption<ReportOutputFormat>

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: .hidden) var now: String?

    @Flag(help: "Deprecated: use `llm-cost report accuracy`.")
    var accuracy = false

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        if accuracy {
            // Spend-report formats from the config do not apply here; an explicit --format must.
            let accuracyFormat = formatOption.given ?? .table
            guard let chosen = TableOrJSON(rawValue: accuracyFormat.rawValue) else {
                throw CommandFailure.usage("--format: --accuracy prints table or json, not \"\(accuracyFormat.rawValue)\"")
            }
            FileOutput.standardError.write("warning: `report --accuracy` is deprecated; use `llm-cost report accuracy`\n")
            try ReportAccuracyCommand.write(ledger: ledger, window: window, now: now, format: chosen)
            return
        }
        let written = groupBy.isEmpty ? (configuration.strings("report.group_by") ?? ["model"]) : groupBy
        var dimensions: [ReportDimension] = []
        for name in written.flatMap({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) {
            guard let dimension = ReportDimension(name) else {
                let message = "unknown grouping \"\(name)\"; expected \(ReportDimension.accepted)"
                if groupBy.isEmpty { throw configuration.invalid("report.group_by", message) }
                throw CommandFailure.usage("--by: \(message)")
            }
            if !dimensions.contains(dimension) { dimensions.append(dimension) }
        }
        let outputFormat: ReportOutputFormat
        if let given = formatOption.given {
            outputFormat = given
        } else {
            let configured = configuration.string("report.format") ?? ReportOutputFormat.standard.rawValue
            guard let format = ReportOutputFormat(rawValue: configured.lowercased()) else {
                throw configuration.invalid("report.format", "unknown format \"\(configured)\"; expected table, json, csv, markdown or html")
            }
            outputFormat = format
        }
        if outputFormat == .html, dimensions.contains(.block) {
            throw CommandFailure.usage("--format html draws the spend report; billing blocks print as table, json, csv or markdown")
        }
        // --now is also the time the active block is taken from.
        let (since, until, zone, nowMilliseconds) = try window.resolve(configuration, now: now)
        var query = ReportQuery(
            since: since, until: until, timeZone: zone, groupBy: dimensions, providers: provider, models: model, agents: agent,
            tags: try parseTagFilters(tag), now: nowMilliseconds)
        if let top {
            guard top > 0 else { throw CommandFailure.usage("--top: expected a positive number of rows, got \(top)") }
            if dimensions.contains(where: { $0.isTime || $0 == .block }) {
                throw CommandFailure.usage("--top: rows grouped by time or block are listed in time order, not cut by cost")
            }
            query.limit = top
        }
        if let start = query.since, let end = query.until, start >= end {
            throw CommandFailure.usage("--since must be before --until")
        }
        do {
            try query.validate()
        } catch {
            if groupBy.isEmpty { throw configuration.invalid("report.group_by", error.description) }
            throw CommandFailure.usage("--by: \(error)")
        }
        let opened = try ledger.openLedger(configuration, for: .read)
        let text: String
        switch outputFormat.textFormat {
        case nil:
            let overview = try SpendOverview(
                ledger: opened, query: query, budgets: configuration.budgets.map(BudgetDefinition.init),
                pricing: pricingForCacheSavings(configuration))
            text = HTMLReportPage(overview: overview).render()
        case let format? where dimensions == [.block]:
            text = renderer.render(try opened.blockReport(query), as: format)
        case let format?:
            text = renderer.render(try opened.report(query), as: format)
        }
        try FileOutput.writeDocument(text, to: output)
    }

    /// The price table, for the page's cache savings only (every other figure is the ledger's
    /// own): a broken user pricing file costs that panel, with a warning, not the report.
    func pricingForCacheSavings(_ configuration: Configuration) -> PriceTable? {
        do {
            return try configuration.priceTable()
        } catch {
            FileOutput.standardError.write("warning: the pricing table could not be loaded; the cache savings are left out: \(error)\n")
            return nil
        }
    }

    /// Fits the terminal when printing there; a file gets the default width.
    var renderer: ReportRenderer {
        output == nil || output == "-"
            ? ReportRenderer(width: FileOutput.standardOutput.width, colors: FileOutput.standardOutput.usesColor)
            : ReportRenderer()
    }
}

/// `report`'s formats: the renderer's text formats, and the HTML page.
enum ReportOutputFormat: String, OutputFormatChoices {
    case table, json, csv, markdown, html
    static let standard = ReportOutputFormat.table

    /// The renderer's format; `nil` for the page.
    var textFormat: ReportFormat? { ReportFormat(rawValue: rawValue) }
}

