import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import TwilioWebhooks

/// `tidings sign`: computes the `X-Twilio-Signature` Twilio would send, for testing a
/// deployment end to end; with `--send`, also sends the signed callback.
struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the X-Twilio-Signature for a URL and form parameters; --send also POSTs them.",
        discussion: "The auth token comes from --auth-token or TIDINGS_AUTH_TOKEN (its first value)."
    )

    @Option(help: "The full URL the request is sent to, exactly as Twilio would use it.")
    var url: String

    @Option(name: .customLong("param"), help: "A form parameter as NAME=VALUE; repeat for each.")
    var parameters: [String] = []

    @Option(help: "The auth token to sign with.")
    var authToken: String?

    @Flag(help: "Also POST the signed form to --url, as Twilio would, and print the answer's status and body; exit non-zero unless it is 2xx.")
    var send = false

    func run() async throws {
        guard let token = authToken
            ?? ProcessInfo.processInfo.environment["TIDINGS_AUTH_TOKEN"]?.split(separator: ",").first.map(String.init)
        else {
            throw ValidationError("No auth token: pass --auth-token or set TIDINGS_AUTH_TOKEN.")
        }
        let form = FormBody(try parameters.map { pair in
            guard let equals = pair.firstIndex(of: "=") else {
                throw ValidationError("--param \(pair) is not NAME=VALUE.")
            }
            return FormBody.Parameter(name: String(pair[..<equals]), value: String(pair[pair.index(after: equals)...]))
        })
        let signature = SignatureValidator.signature(authToken: token, url: url, body: .form(form))
        try Terminal.writeLine(signature)
        if send {
            try await Terminal.reportingFailure {
                try await post(form, signature: signature)
            }
        }
    }

    /// POSTs `form` to ``url`` with `signature` and prints the answer's status line and body.
    ///
    /// - Throws: ``CommandFailure`` when there is no answer or it is not 2xx.
    private func post(_ form: FormBody, signature: String) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Twilio-Signature", value: signature)
        request.body = .bytes(ByteBuffer(string: form.encoded()))
        let (status, body) = try await HTTPClient.withCommandLineClient { http in
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                return (response.status, try await response.body.collect(upTo: 1 << 20))
            } catch {
                throw CommandFailure("cannot send to \(url) (\(ServerClient.describe(error))); check --url.")
            }
        }
        try Terminal.writeLine("\(status.code) \(status.reasonPhrase)")
        if body.readableBytes > 0 {
            try Terminal.writeLine(String(buffer: body))
        }
        guard (200..<300).contains(status.code) else {
            throw CommandFailure(
                status.code == 403
                    ? "\(url) refused the signature: sign with the auth token the server checks with, and give --url exactly as the server rebuilds it (its --public-url plus the path)."
                    : "\(url) answered \(status.code) \(status.reasonPhrase).",
                httpStatus: status.code)
        }
    }
}
