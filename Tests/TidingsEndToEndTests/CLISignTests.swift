import Foundation
import Testing
import TidingsTestSupport

/// `tidings sign` (and `--send`) against a real `tidings serve`.
@Suite("tidings sign")
struct CLISignTests {
    @Test func signPrintsTheSignatureOfTwilioDocumentedExample() async throws {
        let arguments = [
            "sign", "--url", "https://mycompany.com/myapp.php?foo=1&bar=2",
            "--param", "CallSid=CA1234567890ABCDE", "--param", "Caller=+12349013030", "--param", "Digits=1234",
            "--param", "From=+12349013030", "--param", "To=+18005551212",
        ]
        let withFlag = try await TidingsCommand.run(arguments + ["--auth-token", "12345"])
        #expect(withFlag.exitStatus == 0)
        #expect(withFlag.standardOutput == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=\n")
        let fromEnvironment = try await TidingsCommand.run(arguments, environment: ["TIDINGS_AUTH_TOKEN": "12345,next"])
        #expect(fromEnvironment.standardOutput == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=\n")
    }

    @Test func sendPostsTheSignedCallbackAndPrintsTheAnswer() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let sid = CallbackFixtures.sid(0x5e1)
        let result = try await TidingsCommand.run(
            ["sign", "--send", "--url", served.callbacks.callbackURL, "--param", "MessageSid=\(sid)", "--param", "MessageStatus=sent"],
            environment: ["TIDINGS_AUTH_TOKEN": ServedTidings.authToken])
        #expect(result.exitStatus == 0)
        #expect(result.lines.count == 2)
        #expect(result.lines.last == "204 No Content")
        #expect(result.standardError.isEmpty)

        let status = try await served.run(["status", sid])
        #expect(status.lines.first == "\(sid)  sent")
    }

    @Test func sendWithTheWrongTokenPrintsTheRefusalAndFails() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let result = try await TidingsCommand.run([
            "sign", "--send", "--url", served.callbacks.callbackURL, "--auth-token", "not-the-auth-token",
            "--param", "MessageSid=\(CallbackFixtures.sid(0x5e2))", "--param", "MessageStatus=sent",
        ])
        #expect(result.exitStatus == 1)
        #expect(result.lines.count == 3)
        #expect(result.lines[1] == "403 Forbidden")
        #expect(result.lines[2].contains("invalid_signature"))
        #expect(result.standardError.hasPrefix("tidings: \(served.callbacks.callbackURL) refused the signature"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
        let status = try await served.run(["status", CallbackFixtures.sid(0x5e2)])
        #expect(status.exitStatus != 0, "a refused callback stores nothing: \(status.standardOutput)")
    }

    @Test func sendToNothingIsOneLine() async throws {
        let result = try await TidingsCommand.run([
            "sign", "--send", "--url", "http://127.0.0.1:1/twilio/status", "--auth-token", "t", "--param", "MessageStatus=sent",
        ])
        #expect(result.exitStatus == 1)
        #expect(result.standardError.hasPrefix("tidings: cannot send to http://127.0.0.1:1/twilio/status"))
    }
}
