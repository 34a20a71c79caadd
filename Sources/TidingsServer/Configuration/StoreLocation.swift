import TidingsPostgres

/// Which store `tidings serve` keeps its records in (`--store`).
public enum StoreLocation: Sendable, Equatable {
    /// The embedded SQLite store in ``TidingsConfiguration/dataDirectory``: one instance.
    case sqlite
    /// A PostgreSQL database shared by every instance behind a load balancer.
    case postgres(PostgresStoreConfiguration)

    /// Reads `--store`: `sqlite` or a `postgres://` URL; `password` (from the environment
    /// or a file) replaces any password in the URL.
    ///
    /// - Throws: ``ConfigurationError`` saying what is wrong.
    init(parsing text: String, password: String?) throws {
        if text.lowercased() == "sqlite" {
            self = .sqlite
            return
        }
        let scheme = text.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard PostgresStoreConfiguration.isPostgresScheme(scheme) else {
            throw ConfigurationError(
                setting: "store", problem: "must be sqlite or a postgres:// URL like postgres://tidings@db.example.com/tidings")
        }
        do {
            var configuration = try PostgresStoreConfiguration(url: text)
            if let password { configuration.password = password }
            self = .postgres(configuration)
        } catch {
            throw ConfigurationError(setting: "store", problem: "\(error)")
        }
    }

    /// In words, without any password: for `tidings config check`.
    var summary: String {
        switch self {
        case .sqlite:
            "sqlite (in data-dir; one instance)"
        case .postgres(let postgres):
            postgres.description + (postgres.password == nil ? " (no password)" : " (password set, not shown)")
        }
    }
}
