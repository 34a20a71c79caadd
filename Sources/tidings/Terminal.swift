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
