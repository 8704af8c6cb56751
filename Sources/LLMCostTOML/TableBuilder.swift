/// A table while the document is being read: mutable, shared by reference so that headers can
/// reopen a path, and knowing how it was defined so the spec's definition rules can be checked.
/// `freeze()` turns the finished tree into `TOMLTable` values.
final class TableBuilder {
    /// How a table came to exist; decides what may still add to it.
    enum Origin {
        case root
        /// Implied by a deeper header (`[a.b]` implies `a`): a later `[a]` may still define it.
        case implicit
        /// Defined by a `[header]` or as an element of `[[header]]`.
        case header
        /// Created (or claimed, if implicit) by dotted keys in statement group `section`: only
        /// more dotted keys of that same group may add to it.
        case dotted(section: Int)
    }

    enum Slot {
        case value(TOMLValue, TOMLPosition)
        case table(TableBuilder)
        case arrayOfTables(ArrayOfTablesBuilder)
    }

    struct Entry {
        let key: String
        let keyPosition: TOMLPosition
        let slot: Slot
    }

    var origin: Origin
    /// Where the table is defined (see `TOMLTable.position`).
    var position: TOMLPosition
    /// How many tables and arrays enclose it (the root is at 0).
    let depth: Int
    private(set) var entries: [Entry] = []
    /// Filled once the table outgrows `linearSearchLimit` keys; smaller tables are scanned.
    private var indexByKey: [String: Int] = [:]
    /// Up to this many keys, finding one by scanning beats hashing it.
    static let linearSearchLimit = 12

    init(origin: Origin, position: TOMLPosition, depth: Int) {
        self.origin = origin
        self.position = position
        self.depth = depth
    }

    private func index(of key: String) -> Int? {
        if entries.count > Self.linearSearchLimit { return indexByKey[key] }
        return entries.firstIndex { $0.key == key }
    }

    func slot(_ key: String) -> Slot? {
        index(of: key).map { entries[$0].slot }
    }

    func keyPosition(_ key: String) -> TOMLPosition? {
        index(of: key).map { entries[$0].keyPosition }
    }

    /// Adds `key`; the caller has checked it is new.
    func add(_ key: String, at keyPosition: TOMLPosition, _ slot: Slot) {
        if entries.isEmpty { entries.reserveCapacity(8) }
        if entries.count == Self.linearSearchLimit {
            for (offset, existing) in entries.enumerated() { indexByKey[existing.key] = offset }
        }
        if entries.count >= Self.linearSearchLimit { indexByKey[key] = entries.count }
        entries.append(Entry(key: key, keyPosition: keyPosition, slot: slot))
    }

    func freeze() -> TOMLTable {
        TOMLTable(
            entries: entries.map { entry in
                switch entry.slot {
                case .value(let value, let position):
                    return TOMLTable.Entry(key: entry.key, keyPosition: entry.keyPosition, value: value, valuePosition: position)
                case .table(let table):
                    return TOMLTable.Entry(
                        key: entry.key, keyPosition: entry.keyPosition, value: .table(table.freeze()), valuePosition: table.position)
                case .arrayOfTables(let array):
                    let elements = array.elements.map { TOMLArray.Element(value: .table($0.freeze()), position: $0.position) }
                    return TOMLTable.Entry(
                        key: entry.key, keyPosition: entry.keyPosition,
                        value: .array(TOMLArray(elements: elements, position: array.position, isArrayOfTables: true)),
                        valuePosition: array.position)
                }
            },
            position: position)
    }
}

/// The elements of a `[[name]]` array so far; headers add to the last one.
final class ArrayOfTablesBuilder {
    let position: TOMLPosition
    private(set) var elements: [TableBuilder] = []

    init(position: TOMLPosition) {
        self.position = position
    }

    func append(_ table: TableBuilder) { elements.append(table) }
}
