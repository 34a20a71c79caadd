import Foundation
import Synchronization
import TidingsCore

/// Writes every status change as one JSON object per line — to standard output by
/// default, so that `tidings serve | jq` works, or appended to a file that people tail.
///
/// Each line is written with a single `write` call as soon as the change arrives (no
/// buffering), so a reader sees whole lines, in order. The fields are those of
/// ``LogSinkLine``.
public final class LogSink: EventSink {
    public let name = "log"
    private let output: Mutex<FileHandle>
    private let encoder: JSONEncoder

    /// A sink that writes to standard output.
    public static func standardOutput() -> LogSink {
        LogSink(handle: .standardOutput)
    }

    /// A sink that appends to the file at `path`, creating it (and its folder) if needed.
    public static func appending(toFile path: String) throws -> LogSink {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [
                NSFilePathErrorKey: path,
                NSLocalizedDescriptionKey:
                    "cannot open event log \(path) for appending: \(String(cString: strerror(errno)))",
            ])
        }
        return LogSink(handle: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    /// A sink that writes to an open file handle.
    public init(handle: FileHandle) {
        self.output = Mutex(handle)
        self.encoder = JSONCoding.makeEncoder()
    }

    public func deliver(_ batch: [StatusChange]) throws {
        var text = Data()
        for change in batch {
            text.append(try encoder.encode(LogSinkLine(change)))
            text.append(UInt8(ascii: "\n"))
        }
        try output.withLock { try $0.write(contentsOf: text) }
    }
}

/// One line of the ``LogSink``: a status change, flat, in the words an on-call engineer
/// greps for.
public struct LogSinkLine: Codable, Equatable, Sendable {
    /// When the callback was received (RFC 3339, UTC).
    public let ts: Date
    public let sid: String
    public let status: String
    public let previousStatus: String?
    /// The status the callback reported, when it differs from ``status`` (not applied).
    public let reportedStatus: String?
    public let errorCode: Int?
    public let errorMessage: String?
    public let channel: String
    public let to: String?
    public let applied: Bool
    public let conflict: Bool

    /// The line for `change`.
    public init(_ change: StatusChange) {
        ts = change.receivedAt
        sid = change.sid
        status = change.status.wireValue
        previousStatus = change.previousStatus?.wireValue
        reportedStatus = change.reportedStatus == change.status ? nil : change.reportedStatus.wireValue
        errorCode = change.errorCode
        errorMessage = change.errorMessage
        channel = change.channel.name
        to = change.to
        applied = change.applied
        conflict = change.conflict
    }
}
