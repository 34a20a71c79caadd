import Foundation
import Testing
import TidingsServer
import TidingsTestSupport

/// One `serve` per SQLite data directory, and the name it feeds the sinks under.
@Suite("DataDirectoryLock")
struct DataDirectoryLockTests {
    /// The holder's name is the directory's, so that a restart after a crash (the claim is
    /// the dead process's no more) takes the sinks' leases back at once.
    ///
    /// The second claim may have to wait a moment: a process that another test starts just
    /// then holds a copy of the first claim's descriptor (and so its lock) from its fork
    /// until its `exec` closes it (`O_CLOEXEC`).
    @Test func everyHolderOfOneDirectoryFeedsTheSinksUnderOneName() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var first: DataDirectoryLock? = try DataDirectoryLock(directory: directory.path("a"))
        let name = try #require(first?.sinkFeederName)
        #expect(throws: DataDirectoryLockError.self) { try DataDirectoryLock(directory: directory.path("a")) }
        first = nil
        var second: DataDirectoryLock?
        #expect(try await eventually {
            second = try? DataDirectoryLock(directory: directory.path("a"))
            return second != nil
        })
        #expect(second?.sinkFeederName == name)
        let other = try DataDirectoryLock(directory: directory.path("b"))
        #expect(other.sinkFeederName != name)
        withExtendedLifetime(first) {}
    }
}
