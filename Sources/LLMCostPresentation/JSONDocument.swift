import LLMCostCore

/// A JSON value built for output and written through the one `JSONWriter`: the shape commands
/// print with `--format json` when it is easier to build a tree than to stream (small
/// documents). Keys keep the order given; numbers are exact text, never a `Double` printed.
public indirect enum JSONDocument: Sendable, Equatable {
    /// An object's members in order (build one with `object(_:)`).
    case members([Member])
    case array([JSONDocument])
    case string(String)
    case integer(Int64)
    /// A number as exact JSON text (`"0.25"`), for values that must not pass through a float.
    case number(String)
    case bool(Bool)
    case null

    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONDocument

        public init(_ key: String, _ value: JSONDocument) {
            self.key = key
            self.value = value
        }
    }

    /// An object from `(key, value)` pairs in order; a `nil` value is written as `null`.
    public static func object(_ pairs: KeyValuePairs<String, JSONDocument?>) -> JSONDocument {
        .members(pairs.map { Member($0.key, $0.value ?? .null) })
    }

    /// The value as JSON text with a final newline: compact on one line, or `pretty`, indented
    /// by two spaces per level.
    public func text(pretty: Bool = false) -> String {
        var writer = JSONWriter()
        write(to: &writer, indent: pretty ? 0 : nil)
        writer.raw("\n")
        return writer.text
    }

    /// Writes the value; `indent` is the nesting level when pretty, `nil` when compact.
    public func write(to writer: inout JSONWriter, indent: Int? = nil) {
        func newline(_ level: Int) {
            writer.raw("\n")
            writer.raw(String(repeating: "  ", count: level))
        }
        switch self {
        case .members(let members):
            writer.raw("{")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.raw(",") }
                if let indent { newline(indent + 1) }
                writer.string(member.key)
                writer.raw(indent == nil ? ":" : ": ")
                member.value.write(to: &writer, indent: indent.map { $0 + 1 })
            }
            if let indent, !members.isEmpty { newline(indent) }
            writer.raw("}")
        case .array(let elements):
            writer.raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { writer.raw(",") }
                if let indent { newline(indent + 1) }
                element.write(to: &writer, indent: indent.map { $0 + 1 })
            }
            if let indent, !elements.isEmpty { newline(indent) }
            writer.raw("]")
        case .string(let text): writer.string(text)
        case .integer(let value): writer.integer(value)
        case .number(let text): writer.raw(text)
        case .bool(let value): writer.raw(value ? "true" : "false")
        case .null: writer.raw("null")
        }
    }
}
