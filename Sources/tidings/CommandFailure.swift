import Foundation

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
