import ArgumentParser
import Foundation

/// Bad input found after parsing (an unknown provider name): say what is wrong on stderr and
/// exit 2, the usage exit code (ArgumentParser's `ValidationError` would exit 64).
enum UsageFailure {
    static func exit(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }
}
