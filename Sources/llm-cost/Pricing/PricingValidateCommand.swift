import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing validate`: check the built-in and user files, listing every problem.
struct PricingValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the pricing files: syntax, unknown fields, missing or negative prices, overlapping dates.",
        discussion: """
            Checks the built-in files, the user folder's files and the LiteLLM map snapshot in use \
            (the user folder's litellm-snapshot.tsv, else the built-in one). Each problem is \
            printed as file:line: message. Exits 1 when there is any.
            """)

    @OptionGroup var pricing: PricingOptions
    @Argument(help: "Check these files as user files instead of the user folder (a .tsv file as the LiteLLM snapshot).")
    var files: [String] = []

    func run() throws {
        var user: [PricingSource] = []
        var snapshot: PricingSource?
        if files.isEmpty {
            user = try PriceTableLoader.sources(inDirectory: pricing.userDirectory)
            snapshot = try PriceTableLoader.snapshotSource(inDirectory: pricing.userDirectory)
        } else {
            for path in files {
                let source: PricingSource
                do {
                    source = PricingSource(name: path, text: try String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    throw CommandFailure.runtime("cannot read \(path): \(error.localizedDescription)")
                }
                if path.hasSuffix(".tsv") { snapshot = source } else { user.append(source) }
            }
        }
        let snapshotInUse = snapshot ?? PriceTableLoader.defaultSnapshotSource
        let issues = PriceTableLoader.validate(user: user, snapshot: snapshotInUse)
        if issues.isEmpty {
            let table = try PriceTableLoader.load(user: user, snapshot: snapshotInUse)
            let entries = table.models.reduce(0) { $0 + $1.entries.count }
            FileOutput.standardOutput.line("ok: \(table.models.count) models, \(entries) entries, \(PriceTableLoader.defaultSources.count) built-in file(s), \(user.count) user file(s)")
            if let map = table.snapshot {
                let origin = snapshot == nil ? "built-in" : map.fileName
                FileOutput.standardOutput.line("ok: LiteLLM map snapshot of \(map.date) (\(origin)): \(map.count) models, used only where no curated entry matches")
            }
            return
        }
        for issue in issues { FileOutput.standardOutput.line(issue.description) }
        throw PricingCommandFailure.invalidTable(count: issues.count)
    }
}
