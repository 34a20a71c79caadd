import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The options of every command that talks to a running `tidings serve`, and the calls.
struct ServerClient: ParsableArguments {
    @Option(help: "The running Tidings server.")
    var server: String = "http://127.0.0.1:8080"

    /// Sends `method path` with an optional JSON body and returns the answer's body.
    ///
    /// - Throws: `ValidationError` with a one-line reason when the server cannot be
    ///   reached or answers an error.
    func send(_ method: HTTPMethod, _ path: String, json body: Data? = nil) async throws -> Data {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        } catch {
            throw ValidationError("cannot reach Tidings at \(base): \(error). Is `tidings serve` running there? (--server)")
        }
        let answer = Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw ValidationError("Tidings answered \(response.status.code): \(Self.errorMessage(in: answer))")
        }
        return answer
    }

    /// The `message` of an API error body, or the body itself.
    private static func errorMessage(in body: Data) -> String {
        struct ErrorBody: Decodable {
            struct Detail: Decodable { let message: String }
            let error: Detail
        }
        return (try? JSONDecoder().decode(ErrorBody.self, from: body).error.message)
            ?? String(decoding: body, as: UTF8.self)
    }
}
