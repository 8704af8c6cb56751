import Foundation
import LLMCostTestSupport
import LLMCostCore
import LLMCostProviders
import LLMCostStore

/// Lines a meter or dispatcher wrote (warnings, log alerts), collected across threads.
final class CollectedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// $1 per token for every model but those in `unpriced`, which it cannot price.
struct DollarPerTokenExcept: CallPricing {
    var unpriced: Set<String>
    func quote(for record: CallRecord) -> PriceQuote? {
        unpriced.contains(record.model) ? nil : DollarPerToken().quote(for: record)
    }
}

/// Every stored call, oldest first.
func recordedCalls(_ ledger: Ledger) throws -> [CallRecord] {
    var records: [CallRecord] = []
    try ledger.forEachCall { records.append($0) }
    return records
}

/// A provider that counts its requests and, while its gate is closed, keeps each call in flight
/// (started, one word) until `open()`; then finishes with 10 input and 5 output tokens.
final class GatedProvider: LLMProvider, @unchecked Sendable {
    let name: String
    let defaultModel: String
    private let lock = NSLock()
    private var isOpen: Bool
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var started = 0

    init(name: String = "stub", model: String = "stub-model", open: Bool = true) {
        self.name = name
        defaultModel = model
        isOpen = open
    }

    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }

    /// Requests that reached the provider (a refused call never does).
    var requestCount: Int { lock.withLock { started } }

    /// Lets every held call, and every later one, finish.
    func open() {
        let resumed = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            isOpen = true
            defer { waiting.removeAll() }
            return waiting
        }
        for continuation in resumed { continuation.resume() }
    }

    private func passGate() async {
        await withCheckedContinuation { continuation in
            let passNow = lock.withLock { () -> Bool in
                if isOpen { return true }
                waiting.append(continuation)
                return false
            }
            if passNow { continuation.resume() }
        }
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        lock.withLock { started += 1 }
        return AsyncThrowingStream { continuation in
            Task {
                continuation.yield(.started(StreamStart(requestID: "req-\(UUID().uuidString)")))
                continuation.yield(.textDelta("word "))
                await self.passGate()
                continuation.yield(.finished(
                    stopReason: StopReason(kind: .endTurn, raw: "end_turn"), usage: Usage(inputTokens: 10, outputTokens: 5)))
                continuation.finish()
            }
        }
    }
}
