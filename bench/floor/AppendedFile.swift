import Glibc
import NIOCore

/// A file that each group of bodies is appended to, a line each, with one `write` and
/// one `fdatasync`.
final class AppendedFile: Sendable {
    /// A system call that failed, and why.
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let code: Int32

        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(call: "open", code: errno) }
    }

    /// Appends `bodies` and syncs the file.
    func append(_ bodies: [ByteBuffer]) throws {
        var bytes: [UInt8] = []
        for body in bodies {
            bytes += body.readableBytesView
            bytes.append(UInt8(ascii: "\n"))
        }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard written >= 0 else {
                    if errno == EINTR { continue }
                    throw Failure(call: "write", code: errno)
                }
                offset += written
            }
        }
        guard fdatasync(descriptor) == 0 else { throw Failure(call: "fdatasync", code: errno) }
    }
}
