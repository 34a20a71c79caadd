import Foundation

/// The data directory is claimed by another process, or cannot be claimed.
public struct DataDirectoryLockError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
