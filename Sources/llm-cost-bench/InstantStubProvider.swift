import Foundation
import LLMCost

/// A provider that answers at once from memory, reporting usage, so what remains of a metered
/// call is the meter's own cost (`bench metering`, `bench estimation`).
struct InstantStubProvider: LLMProvider {
    /// The input tokens it reports.
    var inputTokens: Int64
    var name = "anthropic"
    var defaultModel = "claude-sonnet-4-5"
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let inputTokens = self.inputTokens
        return AsyncThrowingStream { continuation in
            continuation.yield(.started(StreamStart(requestID: "req_\(UUID().uuidString)")))
            continuation.yield(.textDelta("- revenue up\n- costs flat\n- outlook good"))
            continuation.yield(.finished(stopReason: StopReason(kind: .endTurn, raw: "end_turn"),
                                         usage: Usage(inputTokens: inputTokens, outputTokens: 14)))
            continuation.finish()
        }
    }
}
