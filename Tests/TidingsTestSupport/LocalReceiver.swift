import Foundation
import Hummingbird
import Synchronization

/// A real HTTP server on 127.0.0.1 (a port the system picks) for the webhook tests: it
/// records every POST to `/hook` and answers as the test says.
public final class LocalReceiver: Sendable {
    /// How the receiver answers one request.
    public enum Answer: Sendable, Equatable {
        /// This status, with a `Retry-After` header when given.
        case status(Int, retryAfter: String? = nil)
        /// No answer for this long (then a 204 nobody waits for).
        case stall(Duration)
    }

    /// One request as it arrived, and how it was answered.
    public struct Request: Sendable {
        /// The header fields by lowercase name.
        public let headers: [String: String]
        public let body: Data
        public let answer: Answer

        /// Whether the answer was a 2xx.
        public var wasAccepted: Bool {
            if case .status(let code, _) = answer { return (200...299).contains(code) }
            return false
        }
    }

    /// The URL to post to.
    public let url: String
    private let log: Log

    private init(url: String, log: Log) {
        self.url = url
        self.log = log
    }

    /// Every request so far, in order of arrival.
    public var requests: [Request] { log.requests }

    /// The bodies of the requests that were answered with a 2xx, in order.
    public var acceptedBodies: [Data] { requests.filter(\.wasAccepted).map(\.body) }

    /// Runs `body` with a running receiver that answers its n-th request (from 0) with
    /// `answer(n)`; stops the receiver afterwards.
    public static func with<Result: Sendable>(
        answer: @escaping @Sendable (Int) -> Answer = { _ in .status(204) },
        _ body: (LocalReceiver) async throws -> Result
    ) async throws -> Result {
        let log = Log(answer: answer)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let headers = Dictionary(
                request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { $0 + ", " + $1 })
            let answer = log.record(headers: headers, body: Data(bytes.readableBytesView))
            switch answer {
            case .status(let code, let retryAfter):
                var fields = HTTPFields()
                if let retryAfter { fields[.retryAfter] = retryAfter }
                return Response(status: .init(code: code), headers: fields)
            case .stall(let duration):
                try? await Task.sleep(for: duration)
                return Response(status: .noContent)
            }
        }
        return try await withLoopbackServer(router, label: "local-receiver") { port in
            try await body(LocalReceiver(url: "http://127.0.0.1:\(port)/hook", log: log))
        }
    }

    /// The requests, behind a lock, and the rule for answering them.
    private final class Log: Sendable {
        private let entries = Mutex<[Request]>([])
        private let answer: @Sendable (Int) -> Answer

        init(answer: @escaping @Sendable (Int) -> Answer) {
            self.answer = answer
        }

        var requests: [Request] { entries.withLock { $0 } }

        /// Records a request and returns how to answer it.
        func record(headers: [String: String], body: Data) -> Answer {
            entries.withLock { entries in
                let answer = answer(entries.count)
                entries.append(Request(headers: headers, body: body, answer: answer))
                return answer
            }
        }
    }
}
