/// Why a document is not valid TOML, and where: `3:2: expected a key in the table header, found '>'`.
///
/// The message says what was expected and what was found instead; `line` and `column` point at
/// the offending character (or, for a key or table defined twice, at the second definition).
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        /// Something other than what the grammar allows at this point.
        case unexpected
        /// Bytes that are not UTF-8, or a character TOML forbids (a control character, a bare CR).
        case invalidText
        /// A number, date or escape that is well-formed but out of range.
        case outOfRange
        /// A key or table defined twice, or a table extended in a way the spec forbids.
        case redefinition
        /// Nesting deeper than `TOMLParser.maximumDepth`.
        case tooDeep
    }

    private let code: Code
    public let position: TOMLPosition
    /// What was wrong, without the position.
    public let message: String

    private init(_ code: Code, _ position: TOMLPosition, _ message: String) {
        self.code = code
        self.position = position
        self.message = message
    }

    public var line: Int { position.line }
    public var column: Int { position.column }

    /// `line:column: message`.
    public var description: String { "\(position): \(message)" }

    /// True for a key or table defined twice (or extended where the spec forbids it).
    public var isRedefinition: Bool { code == .redefinition }
    /// True when the document nests deeper than `TOMLParser.maximumDepth`.
    public var isTooDeep: Bool { code == .tooDeep }

    static func expected(_ what: String, found: String, at position: TOMLPosition) -> TOMLError {
        TOMLError(.unexpected, position, "expected \(what), found \(found)")
    }

    static func unexpected(_ message: String, at position: TOMLPosition) -> TOMLError {
        TOMLError(.unexpected, position, message)
    }

    static func invalidText(_ message: String, at position: TOMLPosition) -> TOMLError {
        TOMLError(.invalidText, position, message)
    }

    static func outOfRange(_ message: String, at position: TOMLPosition) -> TOMLError {
        TOMLError(.outOfRange, position, message)
    }

    static func redefinition(_ message: String, at position: TOMLPosition) -> TOMLError {
        TOMLError(.redefinition, position, message)
    }

    static func tooDeep(at position: TOMLPosition) -> TOMLError {
        TOMLError(.tooDeep, position, "nesting deeper than \(TOMLParser.maximumDepth) levels of tables and arrays")
    }
}
