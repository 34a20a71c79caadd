import ArgumentParser
import Foundation
import TwilioWebhooks

/// `tidings sign`: computes the `X-Twilio-Signature` Twilio would send, for testing a
/// deployment end to end.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the X-Twilio-Signature for a URL and form parameters.",
        discussion: "The auth token comes from --auth-token or TIDINGS_AUTH_TOKEN (its first value)."
    )

    @Option(help: "The full URL the request is sent to, exactly as Twilio would use it.")
    var url: String

    @Option(name: .customLong("param"), help: "A form parameter as NAME=VALUE; repeat for each.")
    var parameters: [String] = []

    @Option(help: "The auth token to sign with.")
    var authToken: String?

    func run() throws {
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
        print(SignatureValidator.signature(authToken: token, url: url, body: .form(form)))
    }
}
