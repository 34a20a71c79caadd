import Foundation

/// A port on 127.0.0.1 where no server answers, bound so that no other test's server can
/// take it meanwhile: one that refuses connections (not listening), or a silent one.
public enum ClosedPort {
    /// Runs `body` with such a port.
    public static func with<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
        try await withBoundPort(listening: false, body)
    }

    /// Runs `body` with a port that takes connections and never answers: it listens, and
    /// nothing accepts what the kernel queues — a server that hung.
    public static func withSilentServer<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
        try await withBoundPort(listening: true, body)
    }

    private static func withBoundPort<Result>(
        listening: Bool, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound, !listening || listen(descriptor, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }
}
