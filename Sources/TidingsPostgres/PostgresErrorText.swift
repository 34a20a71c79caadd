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

    /// The error itself, out of a transaction's wrapper; nil for a transaction that failed
    /// without one.
    private var unwrapped: (any Error)? {
        guard let transaction = error as? PostgresTransactionError else { return error }
        let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError
            ?? transaction.rollbackError
        return inner.flatMap { PostgresErrorText($0).unwrapped }
    }

    /// The server's SQL state (`42P05`, …), when the server answered with an error.
    var sqlState: String? {
        (unwrapped as? PSQLError)?.serverInfo?[.sqlState]
    }

    var description: String {
        switch unwrapped {
        case nil:
            return "the transaction failed"
        case let error as PSQLError:
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying {
                return "\(error.code): \(underlying)"
            }
            return "\(error.code)"
        case let error?:
            return "\(error)"
        }
    }
}
