/// One TOML value. Containers keep each element's position (`TOMLTable.Entry`, `TOMLArray.Element`).
public enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    /// A float, kept as written (see `TOMLFloat`): never rounded through `Double`.
    case float(TOMLFloat)
    case boolean(Bool)
    /// An offset date-time (`offsetMinutes` set) or a local date-time (`offsetMinutes` nil).
    case dateTime(TOMLDateTime)
    /// A local date: `2025-09-29`.
    case date(TOMLDate)
    /// A local time: `07:32:00`.
    case time(TOMLTime)
    case array(TOMLArray)
    case table(TOMLTable)

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var float: TOMLFloat? {
        if case .float(let value) = self { return value }
        return nil
    }

    public var boolean: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    public var array: TOMLArray? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var table: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// "a string", "an integer"...: for messages that say what was found.
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime(let value): value.offsetMinutes == nil ? "a local date-time" : "an offset date-time"
        case .date: "a local date"
        case .time: "a local time"
        case .array(let value): value.isArrayOfTables ? "an array of tables" : "an array"
        case .table: "a table"
        }
    }
}

/// A TOML float as its exact written text, underscores removed: `10.50`, `-1e-3`, `+inf`, `nan`.
///
/// Money is decimal: keeping the text lets a reader turn `limit_usd = 0.10` into exactly ten
/// cents, which a `Double` cannot hold.
public struct TOMLFloat: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Digits with a fraction and/or an exponent.
        case finite
        case infinity
        case nan
    }

    /// The float as written, without underscores; signs (`+`) and exponent letters kept.
    public let text: String
    public let kind: Kind

    init(text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }

    /// True when written with a leading `-`.
    public var isNegative: Bool { text.utf8.first == UInt8(ascii: "-") }

    /// The nearest `Double`, for uses where binary rounding does not matter.
    public var doubleValue: Double {
        switch kind {
        case .finite: Double(text) ?? .nan
        case .infinity: isNegative ? -.infinity : .infinity
        case .nan: .nan
        }
    }

    public var description: String { text }
}
