import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// HTTP as clients really speak it, against the real listener (`.live`): `Expect`,
/// HTTP/1.0, a missing `Host`, unknown routes and methods, encoded paths and bodies.
@Suite("HTTP details of the public listener")
struct HTTPEdgeTests {
    func live(_ configure: (inout TestServer) -> Void = { _ in }, _ body: @escaping @Sendable (Int, any TestClientProtocol) async throws -> Void) async throws {
        var server = TestServer()
        server.configuration.port = 0
        configure(&server)
        try await server.application().test(.live) { client in
            try await body(try #require(client.port), client)
        }
    }

    @Test func expect100ContinueIsAnsweredBeforeTheBody() async throws {
        try await live { port, client in
            let connection = try RawConnection(port: port)
            let form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(1), status: "sent").encoded()
            try connection.send(
                "POST /twilio/status HTTP/1.1\r\nHost: localhost:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
            // No body sent yet: the answer must already say to go on.
            let interim = await connection.receive(until: "\r\n\r\n", timeout: .seconds(5))
            #expect(interim.text.hasPrefix("HTTP/1.1 100 Continue"), "\(interim.text)")
            try connection.send(form)
            let final = await connection.receive(until: "\r\n\r\n", timeout: .seconds(5))
            #expect(final.text.contains("HTTP/1.1 403"), "unsigned, so refused, but answered: \(final.text)")
            #expect(try await TestServer.document(CallbackFixtures.sid(1), with: client) == nil, "a refused callback stores nothing")
        }
    }

    @Test func http10ClientsGetHTTP10UnchunkedAndAreDisconnected() async throws {
        try await live { port, _ in
            for path in ["/healthz", "/v1/events"] {
                let connection = try RawConnection(port: port)
                try connection.send("GET \(path) HTTP/1.0\r\n\r\n")
                let answer = await connection.receive(until: path == "/healthz" ? nil : "\r\n\r\nid: ", timeout: .seconds(20))
                #expect(answer.text.hasPrefix("HTTP/1.0 200"), "\(path): \(answer.text)")
                #expect(!answer.text.lowercased().contains("transfer-encoding: chunked"), "\(path): \(answer.text)")
                #expect(answer.text.lowercased().contains("connection: close"), "\(path): \(answer.text)")
                if path == "/healthz" { #expect(answer.closed, "the server closes an HTTP/1.0 connection after the answer") }
            }
        }
    }

    @Test func http11WithoutHostIs400AndNeverCheckedAgainstAGuessedURL() async throws {
        try await live { port, _ in
            let connection = try RawConnection(port: port)
            try connection.send("GET /healthz HTTP/1.1\r\n\r\n")
            let answer = await connection.receive(timeout: .seconds(5))
            #expect(answer.text.hasPrefix("HTTP/1.1 400"), "\(answer.text)")
            #expect(answer.closed)

            // HTTP/1.0 without Host reaches the callback route, which cannot rebuild the URL.
            let form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(2), status: "sent")
            let signature = SignatureValidator.signature(authToken: TestServer.authToken, url: "http://127.0.0.1:0/twilio/status", body: .form(form))
            let old = try RawConnection(port: port)
            let body = form.encoded()
            try old.send("POST /twilio/status HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: \(signature)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let refused = await old.receive(timeout: .seconds(5))
            #expect(refused.text.hasPrefix("HTTP/1.0 400") && refused.text.contains("missing_host"), "\(refused.text)")
        }
    }

    @Test func unknownRoutesAndWrongMethodsAnswerJSON() async throws {
        try await TestServer().application().test(.router) { client in
            for path in ["/v1/nothing", "/v1", "/nothing"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
                #expect(String(buffer: response.body).contains(#""code":"not_found""#), "\(path): \(String(buffer: response.body))")
            }
            for (method, path, allow) in [
                (HTTPRequest.Method.delete, "/v1/messages", "GET"), (.post, "/v1/stats", "GET"), (.delete, "/v1/stats/series", "GET"),
                (.get, "/twilio/status", "POST"),
                (.get, "/v1/sinks/log/replay", "POST"), (.put, "/healthz", "GET"),
            ] {
                let response = try await client.execute(uri: path, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                #expect(String(buffer: response.body).contains(#""code":"method_not_allowed""#))
            }
        }
    }

    @Test func theSIDInThePathIsPercentDecoded() async throws {
        try await TestServer().application().test(.router) { client in
            let sid = CallbackFixtures.sid(3)
            try await TestServer.post(CallbackFixtures.parameters(sid: sid, status: "sent"), with: client, expecting: .noContent)
            let encoded = "%" + String(format: "%02X", Character(String(sid.first!)).asciiValue!) + sid.dropFirst()
            let response = try await client.execute(uri: "/v1/messages/\(encoded)", method: .get)
            #expect(response.status == .ok, "\(encoded): \(String(buffer: response.body))")
            let bad = try await client.execute(uri: "/v1/messages/SM%ZZ", method: .get)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func anEncodedBodyIs415NamingTheEncodingAndNoAnswerCarriesBinary() async throws {
        try await TestServer().application().test(.router) { client in
            let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xC3, 0x28, 0x01, 0x00]
            let response = try await client.execute(
                uri: "/twilio/status", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .contentEncoding: "gzip"], body: ByteBuffer(bytes: gzip))
            #expect(response.status == .unsupportedMediaType)
            #expect(String(buffer: response.body).contains("Content-Encoding gzip"))

            // The same bytes sent without saying so: 400, and the message shows no binary.
            let junk = try await client.execute(
                uri: "/twilio/status", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(bytes: gzip + Array("%FF=1".utf8)))
            let text = String(buffer: junk.body)
            #expect(junk.status == .badRequest, "\(text)")
            #expect(text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 }, "\(text.debugDescription)")
        }
    }

    @Test func aBodyWithMoreParametersThanACallbackHasIs413() async throws {
        try await TestServer().application().test(.router) { client in
            var form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(5), status: "sent")
            form.parameters += (0..<100).map { FormBody.Parameter(name: "P\($0)", value: "x") }
            try await TestServer.post(form, with: client, expecting: .contentTooLarge)
        }
    }
}
