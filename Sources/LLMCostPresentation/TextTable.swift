/// The one plain-text table of the project: columns padded to their widest cell, two spaces
/// apart, no trailing spaces. Every command that prints a table lays it out here, so widths,
/// alignment and fitting into a terminal behave the same everywhere.
public struct TextTable: Sendable {
    public enum Alignment: Sendable {
        case left
        case right
    }

    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        /// One cell per row, in order.
        public var cells: [String]
        /// The narrowest a too-wide table may make it (`nil`: never shortened).
        public var minimumWidth: Int?
        /// Shortened from the left (`…/src/llm-cost`): paths end in what tells them apart.
        public var truncatesLeft: Bool

        public init(
            _ title: String, _ alignment: Alignment = .left, cells: [String], minimumWidth: Int? = nil, truncatesLeft: Bool = false
        ) {
            self.title = title
            self.alignment = alignment
            self.cells = cells
            self.minimumWidth = minimumWidth
            self.truncatesLeft = truncatesLeft
        }
    }

    public var columns: [Column]
    /// Spaces between two columns.
    public var gap = 2

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// A table from a header and rows of cells (every row as long as the header).
    public init(header: [String], rows: [[String]], rightAligned: Set<Int> = []) {
        columns = header.indices.map { index in
            Column(header[index], rightAligned.contains(index) ? .right : .left, cells: rows.map { $0[index] })
        }
    }

    public var rowCount: Int { columns.first?.cells.count ?? 0 }

    /// Each column's width: its widest cell or title.
    public var widths: [Int] { columns.map { column in max(column.title.count, column.cells.map(\.count).max() ?? 0) } }

    /// The width of a line with every column at `widths`.
    public func totalWidth(_ widths: [Int]) -> Int { widths.reduce(0, +) + gap * max(widths.count - 1, 0) }

    /// Fits the table into `width` columns: first leaves out the columns titled in `dropOrder`
    /// (never one of the first `keptColumns`), then shortens the shortenable ones, widest first,
    /// down to their minimum and, with `lastResortWidth`, below it. Returns the titles left out.
    public mutating func fit(into width: Int, dropOrder: [String] = [], keptColumns: Int = 0, lastResortWidth: Int? = nil) -> [String] {
        var hidden: [String] = []
        for title in dropOrder where totalWidth(widths) > width {
            if let index = columns.firstIndex(where: { $0.title == title }), index >= keptColumns {
                columns.remove(at: index)
                hidden.append(title)
            }
        }
        var widths = self.widths
        let shortenable = columns.indices.filter { columns[$0].minimumWidth != nil }
        for floor in [nil] + (lastResortWidth.map { [$0] } ?? []) {
            while totalWidth(widths) > width {
                let candidates = shortenable.filter { widths[$0] > (floor ?? columns[$0].minimumWidth ?? 0) }
                guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
                widths[widest] -= 1
            }
        }
        for index in shortenable {
            let column = columns[index]
            columns[index].cells = column.cells.map { truncated($0, to: widths[index], fromLeft: column.truncatesLeft) }
        }
        return hidden
    }

    /// The header line (`nil` when every title is empty: a key-value listing has none) and
    /// every row, padded; the widths are measured once for all of them.
    public var headerAndRows: (header: String?, rows: [String]) {
        let widths = self.widths
        let header = columns.allSatisfy(\.title.isEmpty) ? nil : line(columns.map(\.title), widths)
        return (header, (0..<rowCount).map { row in line(columns.map { $0.cells[row] }, widths) })
    }

    /// The header (when any) and every row.
    public var lines: [String] {
        let (header, rows) = headerAndRows
        return (header.map { [$0] } ?? []) + rows
    }

    /// `lines` joined, with a final newline.
    public var text: String { lines.map { $0 + "\n" }.joined() }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { line += String(repeating: " ", count: gap) }
            let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
            line += columns[index].alignment == .right ? padding + cell : cell + padding
        }
        while line.last == " " { line.removeLast() }
        return line
    }
}

/// `text` cut to `width` characters with an ellipsis at the end, or at the start for a path
/// (`…/src/llm-cost`: the end of a path is what tells it apart).
private func truncated(_ text: String, to width: Int, fromLeft: Bool) -> String {
    guard text.count > width, width > 1 else { return text }
    return fromLeft ? "…" + String(text.suffix(width - 1)) : String(text.prefix(width - 1)) + "…"
}
