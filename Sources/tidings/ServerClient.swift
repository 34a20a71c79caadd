import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The options of every command that talks to a running `tidings serve`, and the calls.
struct ServerClient: ParsableArguments {
    @Option(help: "The running Tidings server.")
    var server: String = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp(
        "The bearer token the server's /v1 API needs. (default: TIDINGS_API_TOKEN; prefer it, to keep the token out of shell history)",
        valueName: "token"))
    var apiToken: String?

    func validate() throws {
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme?.lowercased()), url.host != nil else {
            throw ValidationError("--server \(server) is not an http:// or https:// URL.")
        }
    }

    /// `--server` without a trailing slash, for paths to be appended.
    var baseURL: String {
        server.hasSuffix("/") ? String(server.dropLast()) : server
    }

    /// The token sent as `Authorization: Bearer`: `--api-token`, else `TIDINGS_API_TOKEN`.
    private var token: String? {
        let token = apiToken ?? ProcessInfo.processInfo.environment["TIDINGS_API_TOKEN"]
        return token?.isEmpty == false ? token : nil
    }

    /// Sends `method path` with an optional JSON body and returns the answer's body, which
    /// must come within `timeout` (a minute, unless the call is known to take longer).
    ///
    /// - Throws: ``CommandFailure`` with a one-line reason when the server cannot be
    ///   reached or answers an error (its HTTP status in ``CommandFailure/httpStatus``).
    func send(_ method: HTTPMethod, _ path: String, json body: Data? = nil, timeout: TimeAmount = .seconds(60)) async throws -> Data {
        var request = makeRequest(path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return try await HTTPClient.withCommandLineClient(readTimeout: max(timeout, .seconds(45))) { client in
            try await collect(try await execute(request, client: client, timeout: timeout))
        }
    }

    /// `GET path?query` (parameters without a value are left out); the answer's body.
    func get(_ path: String, query: KeyValuePairs<String, String?> = [:]) async throws -> Data {
        try await send(.GET, path + Self.queryString(query))
    }

    /// Opens `GET path?query` as a Server-Sent Events stream on `client`, resuming after
    /// `lastEventID` when given, and returns the response once its head says 2xx; the
    /// caller reads its body.
    ///
    /// - Throws: ``CommandFailure``, as ``send(_:_:json:)``.
    func openEventStream(
        _ path: String, query: KeyValuePairs<String, String?>, lastEventID: String?, client: HTTPClient
    ) async throws -> HTTPClientResponse {
        var request = makeRequest(path + Self.queryString(query))
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID {
            request.headers.add(name: "Last-Event-ID", value: lastEventID)
        }
        let response = try await execute(request, client: client, timeout: .seconds(30))
        guard (200..<300).contains(response.status.code) else {
            throw await refusal(response)
        }
        return response
    }

    /// `name` as one segment of a URL path.
    static func pathSegment(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? name
    }

    private func makeRequest(_ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        if let token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        return request
    }

    private func execute(_ request: HTTPClientRequest, client: HTTPClient, timeout: TimeAmount) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, timeout: timeout)
        } catch {
            throw CommandFailure(
                "cannot reach Tidings at \(baseURL) (\(Self.describe(error))); is `tidings serve` running there? Point --server at it.")
        }
    }

    /// The body of a 2xx answer.
    ///
    /// - Throws: ``CommandFailure`` for any other answer, with what to do about it.
    private func collect(_ response: HTTPClientResponse) async throws -> Data {
        guard (200..<300).contains(response.status.code) else {
            throw await refusal(response)
        }
        do {
            return Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView)
        } catch {
            throw CommandFailure("Tidings at \(baseURL) broke off its answer (\(Self.describe(error))); try again.")
        }
    }

    /// What a non-2xx answer means, and what to do about it.
    private func refusal(_ response: HTTPClientResponse) async -> CommandFailure {
        let status = response.status.code
        let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
        if status == 401 {
            return CommandFailure(
                token == nil
                    ? "Tidings at \(baseURL) needs its API token: set TIDINGS_API_TOKEN (or pass --api-token)."
                    : "Tidings at \(baseURL) refused the API token: give the one it was started with (TIDINGS_API_TOKEN or --api-token).",
                httpStatus: status)
        }
        return CommandFailure("Tidings answered \(status): \(Self.errorMessage(in: body))", httpStatus: status)
    }

    /// The `message` of an API error body, or the body itself.
    private static func errorMessage(in body: Data) -> String {
        struct ErrorBody: Decodable {
            struct Detail: Decodable { let message: String }
            let error: Detail
        }
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: body).error.message)
            ?? String(decoding: body, as: UTF8.self)
        return message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// A transport error in a few words, for ``CommandFailure``s: AsyncHTTPClient's and
    /// NIO's own descriptions name types and fields, which says little to people.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout:
            "no answer in time"
        case let error as HTTPClientError where error == .connectTimeout:
            "the connection timed out"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            "the server closed the connection"
        case HTTPParserError.invalidEOFState:
            "the connection closed mid-answer"
        case let error as IOError:
            String(cString: strerror(error.errnoCode)).lowercased()
        default:
            String(describing: error)
        }
    }

    /// `?name=value&…` for the parameters that have a value, percent-encoded; empty for none.
    private static func queryString(_ query: KeyValuePairs<String, String?>) -> String {
        let pairs = query.compactMap { name, value in
            value.map { "\(pathSegment(name))=\(pathSegment($0))" }
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension HTTPClient {
    /// Runs `body` with a client made for a command line, and shuts it down afterwards.
    ///
    /// It fails fast where the shared client waits: a refused connection is reported at
    /// once (the shared client tries again for up to 90 s), and an answer silent for 45 s —
    /// three missed keep-alives of `/v1/events` — counts as a broken connection, unless the
    /// call is known to be silent longer (`readTimeout`).
    static func withCommandLineClient<Result>(
        readTimeout: TimeAmount = .seconds(45), _ body: (HTTPClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: readTimeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }
}
