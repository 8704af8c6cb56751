import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

struct RepriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprice",
        abstract: "Price stored calls again after the pricing table changed, and show the difference.",
        discussion: """
            Recomputes costs that came from the pricing table and prices calls that were \
            unpriced; a cost given by whoever recorded the call is kept. Calls recorded under a \
            provider configured with a name of its own (`[providers.work]`, type openai) are \
            priced as that type. One transaction: all or nothing.
            """)

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var window: TimeWindowOptions
    @Flag(name: .customLong("dry-run"), help: "Show what would change, write nothing.") var dryRun = false

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let (since, until, _, _) = try window.resolve(configuration)
        guard let pricing = try loadPricing(configuration) else { throw CommandFailure.runtime("no pricing table available") }
        let summary = try ledger.openLedger(configuration, for: .write).reprice(
            since: since, until: until, pricing: pricing, dryRun: dryRun)
        let difference = summary.costAfter - summary.costBefore
        let sign = difference.nanoUSD >= 0 ? "+" : ""
        FileOutput.standardOutput.write("""
            \(dryRun ? "would change" : "changed") \(summary.changed) of \(summary.examined) calls priced by the table or unpriced
            newly priced: \(summary.newlyPriced), now unpriced: \(summary.nowUnpriced)\(summary.pricingProviderAssigned > 0 ? ", priced as their provider's type: \(summary.pricingProviderAssigned)" : "")
            cost before: \(summary.costBefore.decimalString) USD, after: \(summary.costAfter.decimalString) USD (\(sign)\(difference.decimalString))

            """)
    }
}
