/// A configuration value, typed as the config file (TOML) wrote it, before it is validated:
/// the config module reads these, and provider settings take them as they are.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    /// A TOML float, kept as its written decimal text (underscores removed) so money never goes
    /// through `Double` arithmetic (`limit_usd = 10.50` stays exactly "10.50").
    case decimal(String)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])

    /// "a string", "an integer"...: for errors that say what was found.
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .decimal: "a number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }

    public var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .integer(let value): String(value)
        case .decimal(let text): text
        case .bool(let value): String(value)
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .table(let table):
            "{ " + table.keys.sorted().map { "\($0) = \(table[$0]!.description)" }.joined(separator: ", ") + " }"
        }
    }
}
