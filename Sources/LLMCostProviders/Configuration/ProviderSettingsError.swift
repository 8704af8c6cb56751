import LLMCostCore

/// Why a provider's settings are unusable: which provider, which key, what was expected.
public struct ProviderSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case unknownKey, wrongType, missingKey, invalidValue, undefinedVariable, unknownType, unknownProvider
    }

    private let code: Code
    /// Where the problem is, as `providers.NAME.key`.
    public let path: String
    public let message: String

    private init(_ code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    static func unknownKey(_ path: String, known: [String]) -> Self {
        Self(.unknownKey, path: path, message: "unknown key (expected one of: \(known.joined(separator: ", ")))")
    }
    static func wrongType(_ path: String, expected: String, found: ConfigValue) -> Self {
        Self(.wrongType, path: path, message: "expected \(expected), found \(found.typeName)")
    }
    static func missingKey(_ path: String, why: String) -> Self {
        Self(.missingKey, path: path, message: "missing: \(why)")
    }
    static func invalidValue(_ path: String, _ message: String) -> Self {
        Self(.invalidValue, path: path, message: message)
    }
    static func undefinedVariable(_ path: String, variable: String) -> Self {
        Self(.undefinedVariable, path: path, message: "${\(variable)} is not set in the environment")
    }
    static func unknownType(_ path: String, type: String, known: [String]) -> Self {
        Self(.unknownType, path: path, message: "unknown provider type `\(type)` (known: \(known.joined(separator: ", ")))")
    }
    static func unknownProvider(_ name: String, known: [String]) -> Self {
        Self(.unknownProvider, path: "providers.\(name)",
             message: "no provider named `\(name)` (configured: \(known.joined(separator: ", ")))")
    }
}
