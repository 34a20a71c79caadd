import ArgumentParser
import TidingsServer

extension TidingsConfiguration {
    /// Claims the SQLite data directory for as long as the returned lock lives, as `serve`
    /// and `migrate` do, so that no other of them writes the store meanwhile; nil for a
    /// PostgreSQL store, which instances share.
    ///
    /// - Throws: `ValidationError` saying who holds the directory, or why it cannot be claimed.
    func claimDataDirectory() throws -> DataDirectoryLock? {
        guard case .sqlite = store else { return nil }
        do {
            return try DataDirectoryLock(directory: dataDirectory)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
