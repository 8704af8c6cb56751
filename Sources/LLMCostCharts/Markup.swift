/// HTML or SVG text that is escaped by construction: a string interpolated into it is escaped,
/// markup interpolated into it is kept, and unescaped text gets in only through the labelled
/// `raw` entry points. Literals are the code's own markup and are kept as written.
///
/// ```swift
/// let cell: Markup = "<td title=\"\(exact)\">\(name)</td>"   // exact and name are escaped
/// ```
public struct Markup: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The markup, ready to write.
    public private(set) var text: String

    public init() { text = "" }

    public init(stringLiteral literal: String) { text = literal }

    public init(stringInterpolation interpolation: StringInterpolation) { text = interpolation.text }

    /// Text the caller vouches for (a style sheet, a script written in this code base): kept as is.
    public static func raw(_ text: String) -> Markup {
        var markup = Markup()
        markup.text = text
        return markup
    }

    /// Text escaped for an element's content or a quoted attribute value.
    public static func escaping(_ text: String) -> Markup { raw(escape(text)) }

    public var description: String { text }

    public mutating func append(_ other: Markup) { text += other.text }

    public static func += (lhs: inout Markup, rhs: Markup) { lhs.text += rhs.text }

    public static func + (lhs: Markup, rhs: Markup) -> Markup { .raw(lhs.text + rhs.text) }

    /// `&`, `<`, `>`, `"` and `'` replaced by their character references: safe inside element
    /// content and inside single- or double-quoted attribute values.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 8)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// Escaped.
        public mutating func appendInterpolation(_ value: String) { text += Markup.escape(value) }

        /// Escaped.
        public mutating func appendInterpolation(_ value: Substring) { text += Markup.escape(String(value)) }

        /// Kept: already markup.
        public mutating func appendInterpolation(_ value: Markup) { text += value.text }

        public mutating func appendInterpolation(_ value: some BinaryInteger) { text += String(value) }

        /// A coordinate or length: at most one decimal, no exponent, `-0` written `0`.
        public mutating func appendInterpolation(_ value: Double) { text += Markup.coordinate(value) }

        /// Unescaped text the caller vouches for.
        public mutating func appendInterpolation(raw value: String) { text += value }
    }

    /// `value` rounded to one decimal, written without exponent or trailing `.0`.
    public static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int64((value * 10).rounded())
        if tenths == 0 { return "0" }
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        let whole = magnitude / 10, fraction = magnitude % 10
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
