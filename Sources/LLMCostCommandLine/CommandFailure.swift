import ArgumentParser
import LLMCostMetering

/// Why a command stopped, and so how the process exits. Every command's failure goes out
/// through `CommandLineMain`, which prints it and exits with its status:
///
/// - `usage` (exit 2): the command line asks for what cannot be (a bad flag value, an unknown
///   provider or budget name, flags that do not go together); the message is followed by the
///   command's usage.
/// - `runtime` (exit 1): the command line was fine but the work failed (a file that cannot be
///   read or written, a bad configuration or input line, a ledger that does not check out); one
///   line saying what and where.
/// - `budgetRefused` (exit 3): a budget refused the call, or is over its limit.
///
/// A command that has already printed why it failed (a table of failed checks, rejected lines)
/// throws a failure with no message.
public struct CommandFailure: Error, CustomStringConvertible {
    private enum Code: Int32 {
        case runtime = 1
        case usage = 2
        case budgetRefused = 3
    }

    private let code: Code
    /// One line, or nil when the command printed the reason itself.
    public let message: String?

    public static func usage(_ message: String) -> CommandFailure { CommandFailure(code: .usage, message: message) }
    public static func runtime(_ message: String) -> CommandFailure { CommandFailure(code: .runtime, message: message) }
    public static func budgetRefused(_ message: String) -> CommandFailure { CommandFailure(code: .budgetRefused, message: message) }
    /// A runtime failure the command has reported itself.
    public static let runtimeReported = CommandFailure(code: .runtime, message: nil)
    /// A budget over its limit, reported by the command itself.
    public static let budgetRefusedReported = CommandFailure(code: .budgetRefused, message: nil)

    public var exitStatus: Int32 { code.rawValue }
    public var isUsage: Bool { code == .usage }
    public var description: String { message ?? "exit \(code.rawValue)" }

    /// What any error thrown by a command's `run()` amounts to. A `ValidationError` is
    /// ArgumentParser's word for bad input; a `MeteringError` is a budget's refusal (or a
    /// model no budget can price); anything else is a runtime failure, described by itself.
    public init(_ error: any Error) {
        switch error {
        case let failure as CommandFailure: self = failure
        case let validation as ValidationError: self = .usage(validation.message)
        case let refusal as MeteringError: self = .budgetRefused(refusal.description)
        case let exit as ExitCode: self.init(code: Code(rawValue: exit.rawValue) ?? .runtime, message: nil)
        default: self = .runtime(String(describing: error))
        }
    }

    private init(code: Code, message: String?) {
        self.code = code
        self.message = message
    }
}
