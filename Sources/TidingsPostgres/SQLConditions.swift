import PostgresNIO

/// A `WHERE` clause built piece by piece, each value bound as a parameter (`$1`, `$2`, …)
/// and never spliced into the SQL — as are the other values of its query (``parameter(_:)``).
struct SQLConditions {
    private(set) var conditions: [String] = []
    private(set) var binds = PostgresBindings()
    private var nextParameter = 1

    /// Adds `condition`, in which each `?` stands for the next of `values`, in order.
    mutating func add(_ condition: String, _ values: any PostgresDynamicTypeEncodable...) {
        var sql = ""
        var remaining = values[...]
        for character in condition {
            guard character == "?", let value = remaining.popFirst() else {
                sql.append(character)
                continue
            }
            binds.append(value)
            sql += "$\(nextParameter)"
            nextParameter += 1
        }
        precondition(remaining.isEmpty, "a condition has a ? for each value")
        conditions.append(sql)
    }

    /// Binds `value` for use elsewhere in the query than the conditions (a `SELECT` list),
    /// and returns its placeholder (`$3`).
    mutating func parameter(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        defer { nextParameter += 1 }
        return "$\(nextParameter)"
    }

    /// `WHERE` and the conditions joined by `AND`; nothing when there are none.
    var clause: String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    /// The query `sql`, whose `{where}` is replaced by ``clause``, with the binds.
    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "{where}", with: clause), binds: binds)
    }
}
