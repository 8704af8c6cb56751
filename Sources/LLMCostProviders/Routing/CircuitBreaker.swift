/// One candidate's health, as a router sees it: after `threshold` consecutive failures the
/// circuit opens and the candidate is passed over for `coolDown`; then one trial call is let
/// through, which closes the circuit if it succeeds and opens it again if it fails.
///
/// A pure value: the router keeps one per candidate under a lock and passes the time in.
public struct CircuitBreaker: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        /// The trial call is in flight; other calls pass the candidate over.
        case halfOpen
    }

    public private(set) var state: State = .closed(consecutiveFailures: 0)
    public let threshold: Int
    public let coolDown: Duration

    public init(threshold: Int, coolDown: Duration) {
        self.threshold = max(1, threshold)
        self.coolDown = coolDown
    }

    /// Whether a call may go to the candidate now; an open circuit past its cool-down lets this
    /// one call through as the trial.
    public mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .halfOpen: return false
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    public mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures) where failures + 1 < threshold: state = .closed(consecutiveFailures: failures + 1)
        default: state = .open(until: now + coolDown)
        }
    }

    /// The admitted call ended without saying anything about the candidate's health (its budget
    /// refused it, the caller cancelled): a trial in flight is given back.
    public mutating func recordNoVerdict(at now: ContinuousClock.Instant) {
        if state == .halfOpen { state = .open(until: now) }
    }

    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }
}
