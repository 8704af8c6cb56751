import Foundation
import LLMCostCore
import LLMCostProviders
import LLMCostStore

/// The meter's per-model corrections, read from the ledger and kept in memory, so a call
/// costs a dictionary lookup; the ledger is asked again (one indexed query) only when an
/// entry is stale by age or by the number of new calls this process recorded for the model.
///
/// Learning lives in the ledger, not here: every process metering into the same file reads
/// the same calls and arrives at the same correction.
final class EstimateCorrectionCache: @unchecked Sendable {
    let policy: EstimateCorrectionPolicy
    private let lock = NSLock()
    private var entries: [ModelID: Entry] = [:]
    /// Recent mean output per model, and when it was read.
    private var outputs: [ModelID: (mean: Int64?, readAt: Date)] = [:]
    /// Bounds memory in a process that sees very many model names.
    private let entryLimit = 10_000

    private struct Entry {
        var correction: EstimateCorrection
        var readAt: Date
        /// Samples this process recorded for the model since `readAt`.
        var newSamples = 0
        /// A caller is reading the ledger for this entry; the others keep using it meanwhile.
        var refreshing = false
    }

    init(policy: EstimateCorrectionPolicy) {
        self.policy = policy
    }

    /// The correction for `model`, reading the ledger first when the cached one is stale.
    /// A ledger that cannot be read keeps the last correction (or none) until the next refresh.
    func correction(provider: String, model: String, ledger: Ledger, now: Date) -> EstimateCorrection {
        guard policy.isEnabled else { return .none }
        let key = ModelID(provider: provider, model: model)
        lock.lock()
        let cached = entries[key]
        if let cached {
            // Fresh, or another caller is already reading it again: the cached answer will do.
            if !isStale(cached, now: now) || cached.refreshing {
                lock.unlock()
                return cached.correction
            }
            entries[key]?.refreshing = true
        }
        lock.unlock()

        let correction: EstimateCorrection
        do {
            let since = Int64(((now.timeIntervalSince1970 - policy.window) * 1000).rounded(.down))
            let samples = try ledger.recentHeuristicSamples(provider: provider, model: model, since: since, limit: policy.maximumSamples)
            correction = EstimateCorrection.learn(from: samples, policy: policy)
        } catch {
            correction = cached?.correction ?? .none
        }
        // Callers race to read only a model not cached yet; the later write wins, and both read the same ledger.
        lock.lock()
        if entries.count >= entryLimit, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
        entries[key] = Entry(correction: correction, readAt: now)
        lock.unlock()
        return correction
    }

    /// Output tokens `model` has produced per call lately (the mean over the correction window,
    /// from the hourly rollups), re-read from the ledger at most once per refresh interval.
    func expectedOutput(provider: String, model: String, ledger: Ledger, now: Date) -> Int64? {
        guard policy.isEnabled else { return nil }
        let key = ModelID(provider: provider, model: model)
        let cached = lock.withLock { outputs[key] }
        if let cached, now.timeIntervalSince(cached.readAt) < policy.refreshInterval, now >= cached.readAt {
            return cached.mean
        }
        let since = Int64(((now.timeIntervalSince1970 - policy.window) * 1000).rounded(.down))
        let mean = (try? ledger.recentOutput(provider: provider, model: model, since: since))?.meanPerCall ?? cached?.mean
        lock.withLock {
            if outputs.count >= entryLimit, outputs[key] == nil { outputs.removeAll(keepingCapacity: true) }
            outputs[key] = (mean, now)
        }
        return mean
    }

    /// Notes that a call of `model` with a heuristic estimate and reported usage was recorded.
    func noteSample(provider: String, model: String) {
        guard policy.isEnabled else { return }
        lock.lock()
        entries[ModelID(provider: provider, model: model)]?.newSamples += 1
        lock.unlock()
    }

    private func isStale(_ entry: Entry, now: Date) -> Bool {
        let age = now.timeIntervalSince(entry.readAt)
        // A clock that went backwards also means: read again.
        if age >= policy.refreshInterval || age < 0 { return true }
        let threshold = entry.correction.isActive ? policy.refreshAfterSamples : 1
        return entry.newSamples >= threshold
    }
}

extension Meter {
    /// What the meter would assume about `request`'s input tokens if sent now: exact where the
    /// model's encoding is public; otherwise the heuristic, corrected by the model's recent
    /// recorded calls once there are enough of them.
    public func inputEstimate(for request: ChatRequest, provider: String, model: String, now: Date = Date()) -> InputEstimate {
        let raw = estimator.estimate(request, model: model)
        guard !raw.isExact else { return EstimateCorrection.none.apply(to: raw) }
        return corrections.correction(provider: provider, model: model, ledger: ledger, now: now).apply(to: raw)
    }

    /// The correction the meter applies to `model`'s heuristic estimates now (`.none` until it
    /// has learned enough, and for a model counted exactly: exact counts are never corrected).
    public func estimateCorrection(provider: String, model: String, now: Date = Date()) -> EstimateCorrection {
        corrections.correction(provider: provider, model: model, ledger: ledger, now: now)
    }
}
