// LLMCostPricing: the versioned pricing table (`pricing/*.toml`, embedded in the binary and
// overridable from a user folder) and the exact cost engine.
//
// Entry points: `PriceTableLoader` builds a `PriceTable`; `PriceTable.resolve` names the model
// a call used; `PriceTable.cost` and `PriceTable.quote(for:)` price a call exactly.
import LLMCostCore
