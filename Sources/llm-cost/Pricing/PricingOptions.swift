import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `--pricing-dir`, shared by `cost` and the `pricing` commands: the user folder whose files
/// add to or override the built-in table.
struct PricingOptions: ParsableArguments {
    @Option(
        name: .customLong("pricing-dir"),
        help: ArgumentHelp(
            "Folder of user pricing files (default: $XDG_CONFIG_HOME/llm-cost/pricing).", valueName: "path"))
    var pricingDir: String?

    var userDirectory: URL {
        PriceTableLoader.userDirectory(override: pricingDir.map { URL(fileURLWithPath: $0, isDirectory: true) })
    }

    /// The built-in table with the user folder's files applied; throws every problem found.
    func loadTable() throws -> PriceTable {
        try PriceTableLoader.load(userDirectory: userDirectory)
    }
}

extension PricingOptions {
    /// Parses `--at`: an ISO 8601 date-time with a zone, or a date (midnight UTC); default now.
    static func time(_ text: String?, flag: String = "--at") throws -> Date {
        guard let text else { return Date() }
        guard let milliseconds = PricingDate.parse(text) else {
            throw CommandFailure.usage("\(flag): expected an ISO 8601 time with a zone (2025-06-10T12:00:00Z) or a date (2025-06-10), got \"\(text)\"")
        }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension PriceTable {
    /// How `model` (through `provider`) resolves, or the unknown-model failure naming every
    /// rule tried, so a typo or a missing provider is obvious.
    func resolveOrExplain(provider: String?, model: String) throws -> Resolution {
        guard let resolution = resolve(provider: provider, model: model) else {
            throw PricingCommandFailure.unknownModel(model, provider: provider, steps: explainMiss(provider: provider, model: model))
        }
        return resolution
    }
}
