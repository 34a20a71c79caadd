import ArgumentParser
import Foundation
import TwilioWebhooks

/// How the client commands write for people: colours when standard output is a terminal,
/// aligned tables, durations, and failures as one line on standard error.
struct Terminal: Sendable {
    /// Whether to colour the output.
    let usesColor: Bool

    /// The standard output's terminal (see ``usesColor(isTerminal:environment:)``).
    static let standardOutput = Terminal(
        usesColor: usesColor(isTerminal: isatty(STDOUT_FILENO) == 1, environment: ProcessInfo.processInfo.environment))

    /// Whether output is coloured: only on a terminal, and not when `NO_COLOR` is set to
    /// anything but the empty string (https://no-color.org).
    static func usesColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// A foreground colour of the ANSI palette.
    enum Color: String, Sendable {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case dim = "2"
        case bold = "1"
    }

    /// `text` in `color`, or as it is without colours.
    func paint(_ text: String, _ color: Color?) -> String {
        guard usesColor, let color, !text.isEmpty else { return text }
        return "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m"
    }

    /// `status` coloured by what it says: delivered or read green, failed red, in flight
    /// yellow; other statuses (canceled, unknown ones) plain.
    func paint(_ status: MessageStatus) -> String {
        paint(status.wireValue, Self.color(of: status))
    }

    private static func color(of status: MessageStatus) -> Color? {
        switch status {
        case .delivered, .read, .received: .green
        case .undelivered, .failed: .red
        case .accepted, .scheduled, .queued, .sending, .sent, .receiving: .yellow
        case .canceled, .partiallyDelivered, .unknown: nil
        }
    }

    /// Writes `text` and a line feed to standard output at once (unbuffered, so that a
    /// pipe sees each line as it is written).
    ///
    /// - Throws: `ExitCode.success` when standard output is closed — the reader of a pipe
    ///   (`tidings tail --json | head`) has all it wanted.
    static func writeLine(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            throw ExitCode.success
        }
    }

    /// Writes `message` as one line on standard error, prefixed `tidings: `.
    static func warn(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("tidings: \(message)\n".utf8))
    }

    /// Runs a command's `body`, turning a ``CommandFailure`` into one line on standard
    /// error and a non-zero exit status.
    static func reportingFailure(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            warn(failure.message)
            throw ExitCode.failure
        }
    }
}

/// Why a client command could not do its work, in one line that says what to do.
struct CommandFailure: Error, CustomStringConvertible, Sendable {
    let message: String
    /// The HTTP status of the server's answer; nil when there was no answer.
    let httpStatus: UInt?

    init(_ message: String, httpStatus: UInt? = nil) {
        self.message = message
        self.httpStatus = httpStatus
    }

    var description: String { message }
}

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

/// Durations as people read them: `0.35s`, `4.8s`, `2m05s`, `1h02m`, `3d04h`.
enum DurationFormat {
    /// `seconds` in the shortest unit that keeps it readable, with a leading `+` or `-`
    /// when `signed` (the delay between two steps of a timeline).
    static func text(_ seconds: Double, signed: Bool = false) -> String {
        let sign = seconds < 0 ? "-" : (signed ? "+" : "")
        let value = abs(seconds)
        let body: String
        // Each bound is where rounding would carry into the next unit (59.97s is 1m00s).
        switch value {
        case 0: body = "0s"
        case ..<0.995: body = String(format: "%.2fs", value)
        case ..<59.95: body = String(format: "%.1fs", value)
        case ..<3599.5:
            let whole = Int(value.rounded())
            body = String(format: "%dm%02ds", whole / 60, whole % 60)
        case ..<86_370:
            let minutes = Int((value / 60).rounded())
            body = String(format: "%dh%02dm", minutes / 60, minutes % 60)
        default:
            let hours = Int((value / 3600).rounded())
            body = String(format: "%dd%02dh", hours / 24, hours % 24)
        }
        return sign + body
    }
}
