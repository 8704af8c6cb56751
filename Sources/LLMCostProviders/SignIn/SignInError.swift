/// Why signing in, refreshing a token or reading stored credentials failed: which provider, what
/// happened, what to do. Never carries a token, a key, a code or a verifier.
public struct SignInError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case signInAgain, stateMismatch, refused, unexpectedReply, unreachable, storage, timedOut, noSignIn, redirect
    }

    private let code: Code
    /// The provider it concerns.
    public let provider: String
    public let message: String

    private init(_ code: Code, provider: String, message: String) {
        self.code = code
        self.provider = provider
        self.message = message
    }

    public var description: String { "\(provider): \(message)" }

    /// The stored refresh token no longer works (revoked, expired, used by someone else): only a
    /// new sign-in helps.
    public var needsSignIn: Bool { code == .signInAgain }

    package static func signInAgain(_ provider: String, reason: String) -> Self {
        Self(.signInAgain, provider: provider, message: "\(reason): sign in again with `llm-cost login \(provider)`")
    }
    package static func stateMismatch(_ provider: String) -> Self {
        Self(.stateMismatch, provider: provider,
             message: "the sign-in reply did not carry the state this login sent: refused (another page or program answered the redirect); run `llm-cost login \(provider)` again")
    }
    package static func refused(_ provider: String, status: Int, error: String?, description: String?) -> Self {
        var text = "the token endpoint refused the exchange (HTTP \(status)"
        if let error { text += ", \(error)" }
        text += ")"
        if let description, !description.isEmpty { text += ": \(description)" }
        return Self(.refused, provider: provider, message: text)
    }
    package static func unexpectedReply(_ provider: String, _ what: String) -> Self {
        Self(.unexpectedReply, provider: provider, message: "unexpected reply from the token endpoint: \(what)")
    }
    package static func unreachable(_ provider: String, url: String, reason: String) -> Self {
        Self(.unreachable, provider: provider, message: "cannot reach \(url): \(reason)")
    }
    package static func storage(_ provider: String, _ what: String) -> Self {
        Self(.storage, provider: provider, message: what)
    }
    package static func timedOut(_ provider: String, _ what: String) -> Self {
        Self(.timedOut, provider: provider, message: what)
    }
    package static func noSignIn(_ provider: String, type: String) -> Self {
        Self(.noSignIn, provider: provider,
             message: "type \(type) has no built-in sign-in: add a [providers.\(provider).oauth] table (authorize_url, token_url, client_id), or use an API key")
    }
    package static func redirect(_ provider: String, _ what: String) -> Self {
        Self(.redirect, provider: provider, message: what)
    }
}
