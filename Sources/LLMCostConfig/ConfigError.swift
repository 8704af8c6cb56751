import LLMCostTOML

/// A configuration problem, located: which file, which line, which key, what was expected.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case unreadable
        case syntax
        case unknownKey
        case wrongType
        case invalidValue
        case missingVariable
    }

    private let code: Code
    public let file: String?
    public let line: Int?
    /// The column, for TOML syntax errors (other errors name the key instead).
    public let column: Int?
    public let key: String?
    public let message: String

    private init(_ code: Code, file: String?, line: Int?, column: Int? = nil, key: String?, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    static func unreadable(file: String, reason: String) -> ConfigError {
        .init(.unreadable, file: file, line: nil, key: nil, message: "cannot read: \(reason)")
    }
    static func syntax(file: String, _ error: TOMLError) -> ConfigError {
        .init(.syntax, file: file, line: error.line, column: error.column, key: nil, message: "invalid TOML: \(error.message)")
    }
    static func unknownKey(file: String, line: Int?, key: String, known: [String]) -> ConfigError {
        .init(.unknownKey, file: file, line: line, key: key,
              message: "unknown key \"\(key)\" (known here: \(known.joined(separator: ", ")))")
    }
    static func wrongType(file: String?, line: Int?, key: String, expected: String) -> ConfigError {
        .init(.wrongType, file: file, line: line, key: key, message: "\(key): expected \(expected)")
    }
    /// A value of the right type that is still not acceptable (an unknown time zone, say).
    public static func invalidValue(file: String?, line: Int?, key: String, reason: String) -> ConfigError {
        .init(.invalidValue, file: file, line: line, key: key, message: "\(key): \(reason)")
    }
    static func missingVariable(file: String?, line: Int?, key: String, variable: String) -> ConfigError {
        .init(.missingVariable, file: file, line: line, key: key,
              message: "\(key): ${\(variable)} is not set in the environment")
    }

    public var description: String {
        var location = file ?? "configuration"
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return "\(location): \(message)"
    }
}
