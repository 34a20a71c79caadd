import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer

/// `GET /v1/errors` and `GET /v1/errors/{code}`: the error catalog over HTTP.
@Suite("GET /v1/errors")
struct ErrorsAPITests {
    @Test func oneCodeIsExplainedAndTheListHasEveryCode() async throws {
        try await TestServer().application().test(.router) { client in
            let entry = try await client.execute(uri: "/v1/errors/30003", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONDecoder().decode(ErrorCatalog.Entry.self, from: Data(buffer: response.body))
            }
            #expect(entry == ErrorCatalog.twilio.entry(for: 30003))
            #expect(entry.retryable && entry.title == "Unreachable destination handset")

            struct List: Decodable { let errors: [ErrorCatalog.Entry] }
            let list = try await client.execute(uri: "/v1/errors", method: .get) { response in
                try JSONDecoder().decode(List.self, from: Data(buffer: response.body))
            }
            #expect(list.errors == ErrorCatalog.twilio.entries)
        }
    }

    @Test(arguments: [
        ("/v1/errors/99999", HTTPResponse.Status.notFound, "https://www.twilio.com/docs/api/errors/99999"),
        ("/v1/errors/thirty", .badRequest, "is not an error code"),
        ("/v1/errors/-1", .badRequest, "is not an error code"),
    ])
    func aCodeItCannotExplainSaysWhereToLook(uri: String, status: HTTPResponse.Status, says: String) async throws {
        try await TestServer().application().test(.router) { client in
            let answer = try await client.execute(uri: uri, method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(answer.0 == status && answer.1.contains(says), "\(uri): \(answer.1)")
        }
    }
}
