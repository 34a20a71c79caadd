import Foundation
import Hummingbird
import Synchronization

/// Twilio's Messages API as reconciliation asks it, played by a real HTTP server on
/// 127.0.0.1 (a port the system picks): `GET /2010-04-01/Accounts/{AC…}/Messages/{SID}.json`
/// and the list, `GET /2010-04-01/Accounts/{AC…}/Messages.json?…`, answered as the test
/// says, every request logged.
public final class FakeMessagesAPI: Sendable {
    /// One answer: a status, a JSON body and a `Retry-After` when given.
    public struct Answer: Sendable {
        public let status: Int
        public let body: String
        public let retryAfter: String?

        public init(status: Int, body: String = "{}", retryAfter: String? = nil) {
            self.status = status
            self.body = body
            self.retryAfter = retryAfter
        }

        /// `200` with a message of `sid` in `status`, last updated at `updated` (RFC 2822).
        public static func message(_ sid: String, _ status: String, errorCode: Int? = nil, updated: String) -> Answer {
            Answer(status: 200, body: messageJSON(sid, status, errorCode: errorCode, updated: updated))
        }

        /// `200` with a page of the list: `messages` (each made by ``messageJSON(_:_:errorCode:updated:direction:)``)
        /// and `next_page_uri`.
        public static func page(_ messages: [String], next: String?) -> Answer {
            let nextURI = next.map { "\"\($0)\"" } ?? "null"
            return Answer(status: 200, body: #"{"messages":["# + messages.joined(separator: ",") + #"],"next_page_uri":"# + nextURI + "}")
        }

        /// One message as the API writes it.
        public static func messageJSON(
            _ sid: String, _ status: String, errorCode: Int? = nil, updated: String, direction: String = "outbound-api"
        ) -> String {
            """
            {"sid":"\(sid)","account_sid":"AC1","status":"\(status)","error_code":\(errorCode.map(String.init) ?? "null"),
             "date_updated":"\(updated)","to":"+15558675310","from":"+15017122661","body":"never kept","direction":"\(direction)"}
            """
        }
    }

    /// One request: the SID asked about (empty for the list), its account, the query string
    /// (for the list) and the `Authorization` header.
    public struct Request: Sendable, Equatable {
        public let sid: String
        public let account: String
        public let query: String
        public let authorization: String?
    }

    /// The base URL to give the reconciler.
    public let baseURL: String
    private let log = Mutex<[Request]>([])

    private init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// Every request so far, in order.
    public var requests: [Request] { log.withLock { $0 } }

    private static func response(_ answer: Answer) -> Response {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = answer.retryAfter { fields[.retryAfter] = retryAfter }
        return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    /// Runs `body` with a running fake that answers the n-th request (from 0) about a SID
    /// with `answer(sid, n)`, and a request for the list with `list(query)` (by default an
    /// empty last page); stops it afterwards.
    public static func with<Result: Sendable>(
        answer: @escaping @Sendable (_ sid: String, _ attempt: Int) -> Answer,
        list: @escaping @Sendable (_ query: String) -> Answer = { _ in .page([], next: nil) },
        _ body: (FakeMessagesAPI) async throws -> Result
    ) async throws -> Result {
        let fake = Mutex<FakeMessagesAPI?>(nil)
        /// Logs `request`; returns how many requests about the same SID came before.
        @Sendable func log(_ request: Request) -> Int {
            fake.withLock { api in
                api!.log.withLock { log in
                    log.append(request)
                    return log.filter { $0.sid == request.sid }.count - 1
                }
            }
        }
        let router = Router()
        router.get("2010-04-01/Accounts/:account/Messages/:file") { request, context -> Response in
            let account = context.parameters.get("account") ?? ""
            let sid = (context.parameters.get("file") ?? "").replacingOccurrences(of: ".json", with: "")
            let attempt = log(Request(sid: sid, account: account, query: "", authorization: request.headers[.authorization]))
            return Self.response(answer(sid, attempt))
        }
        router.get("2010-04-01/Accounts/:account/Messages.json") { request, context -> Response in
            let query = request.uri.query ?? ""
            _ = log(Request(sid: "", account: context.parameters.get("account") ?? "", query: query, authorization: request.headers[.authorization]))
            return Self.response(list(query))
        }
        return try await withLoopbackServer(router, label: "fake-messages-api") { port in
            let api = FakeMessagesAPI(baseURL: "http://127.0.0.1:\(port)")
            fake.withLock { $0 = api }
            return try await body(api)
        }
    }
}
