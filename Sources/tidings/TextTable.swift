import Foundation

/// Rows of text in aligned columns, for `tidings stats` and `tidings status`.
struct TextTable: Sendable {
    /// How a column's cells line up.
    enum Alignment: Sendable {
        case left
        case right
    }

    /// The column headings (printed dimmed), each with its alignment.
    let columns: [(heading: String, alignment: Alignment)]
    private var rows: [[String]] = []

    init(_ columns: [(heading: String, alignment: Alignment)]) {
        self.columns = columns
    }

    /// Adds a row; missing cells are empty, extra ones dropped.
    mutating func append(_ cells: [String]) {
        rows.append((0..<columns.count).map { $0 < cells.count ? cells[$0] : "" })
    }

    var isEmpty: Bool { rows.isEmpty }

    /// The table as lines, indented by `indent` spaces, columns two spaces apart. Widths
    /// count what is seen: the colour codes `paint` adds take no room.
    func lines(indent: Int = 2, on terminal: Terminal) -> [String] {
        let widths = columns.indices.map { column in
            ([columns[column].heading] + rows.map { $0[column] }).map(Self.visibleWidth).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - Self.visibleWidth(cells[column]))
                return columns[column].alignment == .left ? cells[column] + padding : padding + cells[column]
            }
            var text = String(repeating: " ", count: indent) + padded.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return [terminal.paint(line(columns.map(\.heading)), .dim)] + rows.map(line)
    }

    /// The number of characters of `text` a terminal shows: ANSI colour sequences left out.
    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for character in text {
            if inEscape {
                inEscape = character != "m"
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
