/// Counts tokens for a model: exactly when its encoding is public and its rank files load,
/// otherwise with the heuristic, flagged as an estimate with its band.
///
/// It never throws and never silently substitutes another model's encoding: a model without a
/// known encoding, or whose rank files are missing, gets the heuristic and a `note` saying why.
public struct TokenCounter: Sendable {
    public enum Backend: Sendable {
        case exact(BPEEncoding)
        case heuristic(HeuristicEstimator)
    }

    public let backend: Backend
    /// Why an exact count was not possible (missing rank files, say), when that is the case.
    public let note: String?

    public init(backend: Backend, note: String? = nil) {
        self.backend = backend
        self.note = note
    }

    /// The counter for `model` (bare or provider-prefixed id).
    public static func forModel(_ model: String, loader: EncodingLoader = .shared) -> TokenCounter {
        guard let name = ModelEncodingMap.encoding(forModel: model) else {
            return TokenCounter(backend: .heuristic(HeuristicEstimator(profile: HeuristicEstimator.profile(forModel: model))))
        }
        return forEncoding(name, loader: loader)
    }

    /// The counter for an encoding, falling back to the o200k-calibrated heuristic (with a
    /// note naming the places searched) when its rank files cannot be loaded.
    public static func forEncoding(_ name: EncodingName, loader: EncodingLoader = .shared) -> TokenCounter {
        do {
            return TokenCounter(backend: .exact(try loader.encoding(name)))
        } catch {
            return TokenCounter(
                backend: .heuristic(HeuristicEstimator(profile: .openAILike)),
                note: "\(error); using the heuristic estimate instead")
        }
    }

    /// The encoding, when counts are exact.
    public var encoding: BPEEncoding? {
        if case .exact(let encoding) = backend { return encoding }
        return nil
    }

    /// Tokens in `text` (special-token strings count as plain text).
    public func count(_ text: String) -> TokenEstimate {
        switch backend {
        case .exact(let encoding):
            let tokens = encoding.count(text)
            return TokenEstimate(tokens: tokens, low: tokens, high: tokens, method: .exact(encoding.name))
        case .heuristic(let estimator):
            return estimator.estimate(text)
        }
    }
}
