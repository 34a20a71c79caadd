import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer

@Suite("POST /v1/sinks/{name}/replay")
struct SinkReplayTests {
    struct Result: Decodable, Equatable {
        let sink: String
        let cursor: Int64?
    }

    /// `from` is any JSON integer that fits 64 bits: the cursor is the seq just before it,
    /// at least 0. `{"from": -9223372036854775808}` once overflowed computing `from - 1` and
    /// crashed the server (found by schemathesis, .ci/contract-tests.sh).
    @Test(arguments: [
        (Int64.min, Int64(0)), (-1, 0), (0, 0), (1, 0), (5, 4), (Int64.max, Int64.max - 1),
    ])
    func fromAnyIntegerSetsTheCursorJustBeforeIt(from: Int64, cursor: Int64) async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/sinks/recording/replay", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"from": \#(from)}"#))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let result = try JSONDecoder().decode(Result.self, from: Data(buffer: response.body))
            #expect(result == Result(sink: "recording", cursor: cursor))
        }
    }

    @Test(arguments: [
        #"{"from": 9223372036854775808}"#, #"{"from": 1.5}"#, #"{"from": "1"}"#, #"{"deadLetters": false}"#,
        #"{"from": 1, "deadLetters": true}"#, "{}", "[]", "",
    ])
    func anythingButOneOfTheTwoFormsIsA400(body: String) async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/sinks/recording/replay", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body))
            #expect(response.status == .badRequest, "\(body): \(String(buffer: response.body))")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }
}
