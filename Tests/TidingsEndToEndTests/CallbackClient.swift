import AsyncHTTPClient
import Foundation
import NIOCore
import TwilioWebhooks

/// Sends signed status callbacks to a running `tidings serve`, as Twilio would.
struct CallbackClient: Sendable {
    let port: Int
    let authToken: String
    var client: HTTPClient { .shared }

    var callbackURL: String { "http://127.0.0.1:\(port)/twilio/status" }

    /// Posts `form` signed for the callback URL, or the URL of `path` (or with `signature`);
    /// returns the status code.
    func post(_ form: FormBody, to path: String = "/twilio/status", signature: String? = nil) async throws -> UInt {
        let url = "http://127.0.0.1:\(port)\(path)"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(
            name: "X-Twilio-Signature",
            value: signature ?? SignatureValidator.signature(authToken: authToken, url: url, body: .form(form)))
        request.body = .bytes(ByteBuffer(string: form.encoded()))
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    /// `GET path` on the server: the status code and the body.
    func get(_ path: String) async throws -> (status: UInt, body: Data) {
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        return (response.status.code, Data(body.readableBytesView))
    }
}
