import ArgumentParser
import LLMCostPricing

/// `MODEL [--provider P] [--at TIME]` and `--pricing-dir`, shared by `pricing show` and
/// `pricing resolve`: one model name looked up in the table as of one time.
struct ModelLookupOptions: ParsableArguments {
    @OptionGroup var pricing: PricingOptions
    @Argument(help: "Model id as called (dated ids, aliases, provider prefixes, -latest).") var model: String
    @Option(help: "Provider the call goes through.") var provider: String?
    @Option(help: ArgumentHelp("The entry in force at this time (default now).", valueName: "time")) var at: String?

    /// The model's resolution and the lookup time in Unix milliseconds; an unknown model
    /// throws the failure naming every rule tried.
    func resolve() throws -> (resolution: Resolution, milliseconds: Int64) {
        let table = try pricing.loadTable()
        let resolution = try table.resolveOrExplain(provider: provider, model: model)
        return (resolution, PricingDate.milliseconds(try PricingOptions.time(at)))
    }
}
