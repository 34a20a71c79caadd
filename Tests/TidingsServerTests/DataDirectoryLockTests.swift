import Foundation
import Testing
import TidingsServer
import TidingsTestSupport

/// One `serve` per SQLite data directory, and the name it feeds the sinks under.
@Suite("DataDirectoryLock")
struct DataDirectoryLockTests {
    /// The holder's name is the directory's, so that a restart after a crash (the claim is
    /// the dead process's no more) takes the sinks' leases back at once.
    @Test func everyHolderOfOneDirectoryFeedsTheSinksUnderOneName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var first: DataDirectoryLock? = try DataDirectoryLock(directory: directory.path("a"))
        let name = try #require(first?.sinkFeederName)
        #expect(throws: DataDirectoryLockError.self) { try DataDirectoryLock(directory: directory.path("a")) }
        first = nil
        let second = try DataDirectoryLock(directory: directory.path("a"))
        #expect(second.sinkFeederName == name)
        let other = try DataDirectoryLock(directory: directory.path("b"))
        #expect(other.sinkFeederName != name)
        withExtendedLifetime(first) {}
    }
}
