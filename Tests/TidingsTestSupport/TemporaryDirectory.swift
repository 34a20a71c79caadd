import Foundation

/// A fresh, empty directory under the system's temporary directory, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appending(path: "tidings-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Runs `body` with a fresh directory and removes it afterwards.
    public static func with<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        return try await body(directory.url)
    }

    /// The URL of `name` inside the directory.
    public func url(_ name: String) -> URL {
        url.appending(path: name)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String {
        url(name).path(percentEncoded: false)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
