import Testing
import TidingsCore
import TidingsSQLite
import TidingsTestSupport

/// Every ``StatusStore`` backend that the conformance suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, empty store of this kind (SQLite in a fresh temporary
    /// directory, removed afterwards).
    func withStore<Result>(_ body: (any StatusStore) async throws -> Result) async throws -> Result {
        switch self {
        case .memory:
            return try await body(InMemoryStatusStore())
        case .sqlite:
            return try await TemporaryDirectory.with { directory in
                try await body(SQLiteStatusStore(directory: directory))
            }
        }
    }
}
