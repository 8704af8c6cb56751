/// A TOML table: its entries in the order the document writes them, each with the position of
/// its key and of its value, plus where the table itself is defined.
///
/// ```swift
/// let root = try TOMLParser.parse("[report]\ntimezone = \"UTC\"\n")
/// let report = root["report"]?.table            // the [report] table
/// report?.entry("timezone")?.keyPosition.line   // 2
/// ```
public struct TOMLTable: Sendable, Hashable, RandomAccessCollection {
    /// One `key = value` of the table (or a sub-table, or an array of tables, under its key).
    public struct Entry: Sendable, Hashable {
        public let key: String
        /// Where the key is written. For a table created by a header (`[a.b]`), the key's part
        /// in the first header that mentions it.
        public let keyPosition: TOMLPosition
        public let value: TOMLValue
        /// Where the value starts: the value itself, a sub-table's header or `{`, the first
        /// `[[header]]` of an array of tables.
        public let valuePosition: TOMLPosition
    }

    /// The entries in document order.
    public let entries: [Entry]
    /// Where the table is defined: its `[header]` (or `[[header]]`), its `{`, the dotted key
    /// that created it, or (for a table only implied by deeper headers) the first such header.
    public let position: TOMLPosition
    /// Built only for large tables: a scan of a few keys is cheaper than hashing.
    private let indexByKey: [String: Int]?

    init(entries: [Entry], position: TOMLPosition) {
        self.entries = entries
        self.position = position
        if entries.count > TableBuilder.linearSearchLimit {
            var index: [String: Int] = [:]
            index.reserveCapacity(entries.count)
            for (offset, entry) in entries.enumerated() { index[entry.key] = offset }
            self.indexByKey = index
        } else {
            self.indexByKey = nil
        }
    }

    /// The entry for `key`, if the table has one.
    public func entry(_ key: String) -> Entry? {
        if let indexByKey { return indexByKey[key].map { entries[$0] } }
        return entries.first { $0.key == key }
    }

    /// The value for `key`, if the table has one.
    public subscript(key: String) -> TOMLValue? { entry(key)?.value }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }

    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.entries == rhs.entries && lhs.position == rhs.position
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries)
        hasher.combine(position)
    }
}

/// A TOML array: a static `[1, 2]` or an array of tables (`[[name]]`), with each element's position.
public struct TOMLArray: Sendable, Hashable, RandomAccessCollection {
    public struct Element: Sendable, Hashable {
        public let value: TOMLValue
        /// Where the element starts; for an array of tables, its `[[header]]`.
        public let position: TOMLPosition
    }

    public let elements: [Element]
    /// The `[` of a static array; the first `[[header]]` of an array of tables.
    public let position: TOMLPosition
    /// True when written as `[[name]]` tables rather than as a value.
    public let isArrayOfTables: Bool

    init(elements: [Element], position: TOMLPosition, isArrayOfTables: Bool) {
        self.elements = elements
        self.position = position
        self.isArrayOfTables = isArrayOfTables
    }

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> Element { elements[position] }
}
