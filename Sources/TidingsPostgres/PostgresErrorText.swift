import PostgresNIO

/// What went wrong with PostgreSQL, in the server's words where it sent any.
///
/// postgres-nio's `PSQLError` describes itself vaguely on purpose (its text could carry
/// query values); this keeps the server's message, SQL state and a transaction's inner
/// error — what an operator needs — and never the bound values.
struct PostgresErrorText: CustomStringConvertible {
    let error: any Error

    init(_ error: any Error) {
        self.error = error
    }

    var description: String {
        switch error {
        case let error as PostgresTransactionError:
            let inner = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError
            return inner.map { "\(PostgresErrorText($0))" } ?? "the transaction failed"
        case let error as PSQLError:
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying {
                return "\(error.code): \(underlying)"
            }
            return "\(error.code)"
        default:
            return "\(error)"
        }
    }
}
