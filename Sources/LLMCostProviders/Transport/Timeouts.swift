/// The time limits of one HTTP call. Each one that fires ends the call with a `.timeout` error
/// naming it, so a slow provider can be told apart from a dead one.
public struct Timeouts: Sendable, Hashable {
    /// Until the TCP (and TLS) connection is up.
    public var connect: Duration
    /// From sending the request to the response head: the provider is thinking.
    public var firstByte: Duration
    /// The longest silence allowed between two body chunks of a stream.
    public var idle: Duration
    /// The whole call, first byte to last.
    public var total: Duration

    public init(connect: Duration = .seconds(10), firstByte: Duration = .seconds(60),
                idle: Duration = .seconds(60), total: Duration = .seconds(600)) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }

    public static let `default` = Timeouts()

    /// One number for everything, as a config file's `timeout = 30` means: connect within 10 s
    /// (or the number, if smaller), first byte, idle gaps and the total within the number.
    public static func uniform(_ limit: Duration) -> Timeouts {
        Timeouts(connect: min(limit, .seconds(10)), firstByte: limit, idle: limit, total: limit)
    }
}
