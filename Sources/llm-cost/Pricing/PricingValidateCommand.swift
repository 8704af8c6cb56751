import ArgumentParser
import Foundation
import LLMCostPricing

/// `llm-cost pricing validate`: check the built-in and user files, listing every problem.
struct PricingValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the pricing files: syntax, unknown fields, missing or negative prices, overlapping dates.",
        discussion: "Each problem is printed as file:line: message. Exits 1 when there is any.")

    @OptionGroup var pricing: PricingOptions
    @Argument(help: "Check these files as user files instead of the user folder.") var files: [String] = []

    func run() throws {
        let user: [PricingSource]
        if files.isEmpty {
            user = try PriceTableLoader.sources(inDirectory: pricing.userDirectory)
        } else {
            user = try files.map { path in
                do {
                    return PricingSource(name: path, text: try String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    throw ValidationError("cannot read \(path): \(error.localizedDescription)")
                }
            }
        }
        let issues = PriceTableLoader.validate(user: user)
        if issues.isEmpty {
            let table = try PriceTableLoader.load(user: user)
            let entries = table.models.reduce(0) { $0 + $1.entries.count }
            print("ok: \(table.models.count) models, \(entries) entries, \(PriceTableLoader.defaultSources.count) built-in file(s), \(user.count) user file(s)")
            return
        }
        for issue in issues { print(issue.description) }
        throw PricingCommandFailure.invalidTable(count: issues.count)
    }
}
