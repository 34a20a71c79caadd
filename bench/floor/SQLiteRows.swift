import Foundation
import GRDB
import NIOCore

/// A SQLite table that each group of bodies is inserted into, a row each, in one
/// transaction: WAL mode with `synchronous=FULL`, as Tidings' default store commits, but
/// one table, no index, nothing read.
final class SQLiteRows: Sendable {
    private let database: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS callbacks (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        }
    }

    /// Inserts `bodies` in one transaction, committed (and synced) before it returns.
    func insert(_ bodies: [ByteBuffer]) throws {
        try database.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO callbacks (body) VALUES (?)")
            for body in bodies {
                try statement.execute(arguments: [Data(body.readableBytesView)])
            }
        }
    }
}
