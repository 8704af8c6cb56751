/// The two units durations are written in across llm-cost (latencies in the ledger and in
/// reports, timeouts handed to `TimeInterval` APIs, bench figures), converted in one place.
extension Duration {
    /// Whole milliseconds, sub-millisecond parts dropped.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a `Double` (`TimeInterval`).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
