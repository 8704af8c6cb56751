/// An agent log import could not go on: a file that exists could not be read. (A bad line is
/// never an error: it is skipped and named in the summary.)
public struct AgentLogError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case unreadable(reason: String)
    }

    private let code: Code
    /// The file concerned.
    public let path: String

    static func unreadable(_ path: String, reason: String) -> AgentLogError {
        AgentLogError(code: .unreadable(reason: reason), path: path)
    }

    public var description: String {
        switch code {
        case .unreadable(let reason): "cannot read \(path): \(reason)"
        }
    }
}
