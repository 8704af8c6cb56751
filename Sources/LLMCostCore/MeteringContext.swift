/// Who a call is attributed to: an agent, a session and tags.
///
/// Set it for a whole task with `MeteringContext.$current.withValue(...)` (or the metering
/// layer's `withMetering`), and every metered call made inside, however deep, is attributed
/// without threading parameters through.
public struct MeteringContext: Sendable, Hashable {
    public var agent: String?
    public var session: String?
    public var tags: [String: String]

    public init(agent: String? = nil, session: String? = nil, tags: [String: String] = [:]) {
        self.agent = agent
        self.session = session
        self.tags = tags
    }

    /// The context of the current task; empty outside any.
    @TaskLocal public static var current = MeteringContext()

    /// This context with `inner`'s values layered on top: an inner agent or session replaces
    /// the outer one, inner tags add to (and override) outer tags.
    public func merged(with inner: MeteringContext) -> MeteringContext {
        MeteringContext(
            agent: inner.agent ?? agent,
            session: inner.session ?? session,
            tags: tags.merging(inner.tags) { _, innerValue in innerValue })
    }
}
