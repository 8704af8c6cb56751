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

    var origin: Origin
    /// Where the table is defined (see `TOMLTable.position`).
    var position: TOMLPosition
    /// How many tables and arrays enclose it (the root is at 0).
    let depth: Int
    private(set) var keys: [String] = []
    private(set) var keyPositions: [TOMLPosition] = []
    private(set) var slots: [Slot] = []
    private var indexByKey: [String: Int] = [:]

    init(origin: Origin, position: TOMLPosition, depth: Int) {
        self.origin = origin
        self.position = position
        self.depth = depth
    }

    func slot(_ key: String) -> Slot? {
        indexByKey[key].map { slots[$0] }
    }

    func keyPosition(_ key: String) -> TOMLPosition? {
        indexByKey[key].map { keyPositions[$0] }
    }

    /// Adds `key`; the caller has checked it is new.
    func add(_ key: String, at keyPosition: TOMLPosition, _ slot: Slot) {
        indexByKey[key] = slots.count
        keys.append(key)
        keyPositions.append(keyPosition)
        slots.append(slot)
    }

    func freeze() -> TOMLTable {
        var entries: [TOMLTable.Entry] = []
        entries.reserveCapacity(slots.count)
        for index in slots.indices {
            let value: TOMLValue
            let valuePosition: TOMLPosition
            switch slots[index] {
            case .value(let written, let position):
                value = written
                valuePosition = position
            case .table(let table):
                value = .table(table.freeze())
                valuePosition = table.position
            case .arrayOfTables(let array):
                let elements = array.elements.map { TOMLArray.Element(value: .table($0.freeze()), position: $0.position) }
                value = .array(TOMLArray(elements: elements, position: array.position, isArrayOfTables: true))
                valuePosition = array.position
            }
            entries.append(TOMLTable.Entry(key: keys[index], keyPosition: keyPositions[index], value: value, valuePosition: valuePosition))
        }
        return TOMLTable(entries: entries, position: position)
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
