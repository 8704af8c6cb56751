/// How the meter arrived at a call's input estimate when no exact tokenizer was available:
/// the heuristic's raw count and the per-model correction factor it multiplied that count by.
///
/// Stored per call so the correction can be learned again from raw counts (a factor learned
/// from already-corrected estimates would compound), and so reports can show the error of the
/// estimate before and after correction.
public struct HeuristicInputEstimate: Sendable, Hashable {
    /// The heuristic's input-token count before any correction.
    public var rawTokens: Int64
    /// The correction factor applied, in parts per million (1,000,000: no correction).
    public var factorPartsPerMillion: Int64

    public static let noCorrection: Int64 = 1_000_000

    public init(rawTokens: Int64, factorPartsPerMillion: Int64 = HeuristicInputEstimate.noCorrection) {
        self.rawTokens = rawTokens
        self.factorPartsPerMillion = factorPartsPerMillion
    }
}
