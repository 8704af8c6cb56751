import Synchronization

/// The context tokens of the Responses the proxy relayed, by response id: a request that
/// continues one (`previous_response_id`) is billed that context again as input, which its own
/// body does not show. Bounded: the oldest ids are forgotten first, and a forgotten or unknown
/// id (one from before the proxy started) counts as 0.
final class StoredContexts: Sendable {
    private struct State {
        var tokens: [String: Int64] = [:]
        var order: [String] = []
        var head = 0
    }
    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
    }

    /// The context a response left: its input (all of it, cached or not) and its output.
    func remember(_ responseID: String, tokens: Int64) {
        state.withLock { state in
            if state.tokens.updateValue(tokens, forKey: responseID) != nil { return }
            state.order.append(responseID)
            if state.order.count - state.head > capacity {
                state.tokens[state.order[state.head]] = nil
                state.head += 1
                // Drop the forgotten ids' slots now and then, not at each eviction.
                if state.head >= capacity {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }

    func tokens(for responseID: String) -> Int64? {
        state.withLock { $0.tokens[responseID] }
    }
}
