import LLMCostCore

/// Runs `body` with calls attributed to `agent`, `session` and `tags`, layered over the
/// enclosing context: every metered call inside, however deep, carries them.
public func withMetering<T>(
    agent: String? = nil, session: String? = nil, tags: [String: String] = [:],
    _ body: () async throws -> T
) async rethrows -> T {
    let context = MeteringContext.current.merged(with: MeteringContext(agent: agent, session: session, tags: tags))
    return try await MeteringContext.$current.withValue(context, operation: body)
}
