import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing list`: every model and the entry in force now (or at `--at`).
struct PricingListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the models and their current prices (USD per million tokens).")

    @OptionGroup var pricing: PricingOptions
    @Option(help: "Only this provider.") var provider: String?
    @Option(help: ArgumentHelp("Prices in force at this time (default now).", valueName: "time")) var at: String?
    @OptionGroup var formatOption: FormatOption<TextOrJSON>

    struct Row: Encodable {
        var provider: String
        var model: String
        var aliases: [String]
        var entry: String?
        var input: String?
        var output: String?
        var cache_read: String?
        var entries: Int
    }

    func run() throws {
        let table = try pricing.loadTable()
        let time = PricingDate.milliseconds(try PricingOptions.time(at))
        var wanted: String?
        if let provider {
            guard let name = table.providerName(provider) else {
                throw CommandFailure.usage("--provider: no pricing file for \"\(provider)\" (known: \(table.providers.values.map(\.name).sorted().joined(separator: ", ")))")
            }
            wanted = name
        }
        let rows = table.models.filter { wanted == nil || $0.provider == wanted }.map { model in
            let entry = model.entry(atMilliseconds: time)
            return Row(
                provider: model.provider, model: model.id, aliases: model.aliases, entry: entry?.id,
                input: entry.map { "\($0.prices.input)" }, output: entry.map { "\($0.prices.output)" },
                cache_read: entry?.prices.cacheRead.map { "\($0)" }, entries: model.entries.count)
        }
        if formatOption.format == .json {
            FileOutput.standardOutput.line(try PricingJSON.render(rows))
            return
        }
        let header = ["provider", "model", "input", "output", "cache read", "entry"]
        let cells = rows.map { row in
            [row.provider, row.model, row.input ?? "-", row.output ?? "-", row.cache_read ?? "-", row.entry ?? "(none in force)"]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        for line in [header] + cells {
            let padded = line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            FileOutput.standardOutput.line(String(padded.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()))
        }
        if let snapshot = table.snapshot {
            FileOutput.standardOutput.line("\nand \(snapshot.count) models priced from the LiteLLM map snapshot of \(snapshot.date) when no model above matches (`pricing resolve MODEL`)")
        }
    }
}
