import Configuration
import Foundation
import Testing
import TidingsPostgres
import TidingsServer
import TidingsSQLite
import TidingsTestSupport

/// `--store`: SQLite by default, a `postgres://` URL for several instances, the password
/// from the environment or a file — and clear words for a URL that cannot be used.
@Suite("Configuration: the store")
struct StoreConfigurationTests {
    let read = ConfigurationTests()

    @Test func theDefaultIsSQLite() throws {
        #expect(try read.configuration().store == .sqlite)
        #expect(try read.configuration(environment: ["TIDINGS_STORE": "sqlite"]).store == .sqlite)
    }

    @Test func theSQLiteSyncLevelIsFullUnlessToldNormal() throws {
        #expect(try read.configuration().sqliteSynchronous == .full)
        #expect(try read.configuration(environment: ["TIDINGS_SQLITE_SYNCHRONOUS": "NORMAL"]).sqliteSynchronous == .normal)
        let error = #expect(throws: ConfigurationError.self) {
            try read.configuration(environment: ["TIDINGS_SQLITE_SYNCHRONOUS": "off"])
        }
        #expect(error?.description.contains("--sqlite-synchronous") == true)
    }

    @Test func aPostgresURLIsReadWithItsParts() throws {
        let store = try read.configuration(environment: [
            "TIDINGS_STORE": "postgresql://tidings@db.example.com:6543/messages?sslmode=verify-full&connect_timeout=4&pool_max_conns=6",
        ]).store
        guard case .postgres(let postgres) = store else {
            Issue.record("not PostgreSQL: \(store)")
            return
        }
        #expect(postgres.host == "db.example.com")
        #expect(postgres.port == 6543)
        #expect(postgres.username == "tidings")
        #expect(postgres.password == nil)
        #expect(postgres.database == "messages")
        #expect(postgres.tls == .verifyFull)
        #expect(postgres.operationTimeout == .seconds(4))
        #expect(postgres.maximumConnections == 6)
        #expect(postgres.description == "postgres://tidings@db.example.com:6543/messages?sslmode=verify-full")
    }

    @Test func thePasswordComesFromTheEnvironmentOrAFileAndIsNeverShown() async throws {
        let fromEnvironment = try read.configuration(environment: [
            "TIDINGS_STORE": "postgres://tidings:in-the-url@db/tidings", "TIDINGS_STORE_PASSWORD": "from-the-environment",
        ])
        #expect(fromEnvironment.store.postgres?.password == "from-the-environment")

        try await TemporaryDirectory.with { directory in
            let file = directory.appending(path: "password")
            try "from-a-file\n".write(to: file, atomically: true, encoding: .utf8)
            let fromFile = try read.configuration(environment: [
                "TIDINGS_STORE": "postgres://tidings@db/tidings", "TIDINGS_STORE_PASSWORD_FILE": file.path,
            ])
            #expect(fromFile.store.postgres?.password == "from-a-file")
            let summary = ConfigurationSummary(fromFile).text
            #expect(summary.contains("postgres://tidings@db:5432/tidings"))
            #expect(summary.contains("password set, not shown"))
            #expect(!summary.contains("from-a-file"))
        }
    }

    @Test(arguments: [
        ("mysql://tidings@db/tidings", "must be sqlite or a postgres:// URL"),
        ("postgres://db/tidings", "names no user"),
        ("postgres://tidings@db/", "names no database"),
        ("postgres://tidings@db/tidings?sslmode=sometimes", "sslmode=sometimes is not one of disable, prefer, require, verify-full"),
        ("postgres://tidings@db/tidings?search_path=x", "the URL parameter search_path is not known"),
        ("postgres://tidings:secret@db/tidings?sslmode=x", "--store (TIDINGS_STORE)"),
    ])
    func aBadURLIsRefusedInWords(url: String, words: String) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try read.configuration(environment: ["TIDINGS_STORE": url])
        }
        #expect(error?.description.contains(words) == true, "\(String(describing: error))")
        #expect(error?.description.contains("secret") == false, "a password is never repeated")
    }
}

extension StoreLocation {
    var postgres: PostgresStoreConfiguration? {
        if case .postgres(let configuration) = self { configuration } else { nil }
    }
}
