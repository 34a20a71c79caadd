import Logging
import PostgresNIO

extension PostgresConnection {
    /// postgres-nio's own logging off, as `PostgresClient.query` has it without a logger.
    private static let quiet = Logger(label: "tidings-postgres-queries", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `query` with postgres-nio's own logging off.
    func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: Self.quiet)
    }

    /// The first column of the first row of `query`, or nil when it returns no row.
    func single<Value: PostgresDecodable & Sendable>(_ type: Value.Type, _ query: PostgresQuery) async throws -> Value? {
        for try await value in try await self.query(query).decode(Value.self) { return value }
        return nil
    }
}
