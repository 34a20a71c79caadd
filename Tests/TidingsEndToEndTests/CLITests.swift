import Foundation
import Testing
import TidingsTestSupport

/// What one run of the `tidings` binary printed, and how it ended.
struct CommandResult: Sendable {
    let exitStatus: Int32
    let standardOutput: String
    let standardError: String

    /// Standard output's lines, without the last line feed.
    var lines: [String] { standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// A `tidings` command running as a child process, its output going to files the test
/// reads while it runs.
final class TidingsCommand {
    private let process: ChildProcess
    private let standardOutput: URL
    private let standardError: URL
    private let directory: TemporaryDirectory

    /// Starts `tidings arguments` with the test's environment minus every `TIDINGS_…`
    /// variable, plus `environment`.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        directory = try TemporaryDirectory()
        standardOutput = directory.url("stdout")
        standardError = directory.url("stderr")
        FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        FileManager.default.createFile(atPath: standardError.path, contents: nil)
        let output = try FileHandle(forWritingTo: standardOutput)
        let error = try FileHandle(forWritingTo: standardError)
        defer {
            try? output.close()
            try? error.close()
        }
        process = try ChildProcess(
            executable: TidingsProcess.executable.path, arguments: arguments,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TIDINGS_") && $0.key != "NO_COLOR" }
                .merging(environment) { $1 },
            standardOutput: output.fileDescriptor, standardError: error.fileDescriptor)
    }

    deinit {
        process.stop()
        directory.remove()
    }

    /// Runs `tidings arguments` to its end (at most `timeout`) and returns what it printed.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let command = try TidingsCommand(arguments, environment: environment)
        let deadline = ContinuousClock.now + timeout
        while command.process.isRunning {
            guard ContinuousClock.now < deadline else {
                command.process.stop(with: SIGKILL)
                throw TimedOut(what: "tidings \(arguments.joined(separator: " ")) to end", output: command.output)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return command.result
    }

    /// Standard output and standard error so far.
    var output: String {
        "stdout:\n\(Self.text(of: standardOutput))\nstderr:\n\(Self.text(of: standardError))"
    }

    /// Standard output's complete lines so far.
    var lines: [String] {
        Self.text(of: standardOutput).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    var standardErrorText: String { Self.text(of: standardError) }

    /// Waits, at most `timeout`, for `count` lines of standard output that satisfy
    /// `predicate`, and returns them.
    @discardableResult
    func waitForLines(
        _ count: Int = 1, timeout: Duration = .seconds(15), where predicate: (String) -> Bool = { _ in true }
    ) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matching = lines.filter(predicate)
            if matching.count >= count { return matching }
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TimedOut(what: "\(count) matching lines", output: output)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Asks the command to stop (SIGTERM, as Ctrl-C would end it) and waits for its end.
    func stop() -> CommandResult {
        process.stop()
        return result
    }

    private var result: CommandResult {
        CommandResult(
            // -1: the command did not end even when killed (`ChildProcess.stop(with:)`).
            exitStatus: process.terminationStatus ?? -1, standardOutput: Self.text(of: standardOutput),
            standardError: Self.text(of: standardError))
    }

    private static func text(of file: URL) -> String {
        (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        let output: String
        var description: String { "waited in vain for \(what); so far:\n\(output)" }
    }
}

/// A running `tidings serve` with an auth token and an API token, and the way to run
/// client commands against it.
final class ServedTidings: Sendable {
    static let authToken = "cli-auth-token"
    static let apiToken = "cli-api-token"

    let server: TidingsProcess
    let directory: TemporaryDirectory
    let callbacks: CallbackClient

    /// Starts the server on a fresh data directory, or on `directory`'s, with `arguments`.
    init(directory: TemporaryDirectory? = nil, arguments: [String] = []) async throws {
        let directory = try directory ?? TemporaryDirectory()
        self.directory = directory
        server = try await TidingsProcess(
            arguments: ["--data-dir", directory.path("data")] + arguments,
            environment: ["TIDINGS_AUTH_TOKEN": Self.authToken, "TIDINGS_API_TOKEN": Self.apiToken],
            standardOutput: directory.url("serve-\(UUID().uuidString).jsonl"))
        callbacks = CallbackClient(port: server.port, authToken: Self.authToken)
    }

    /// `--server` for this server.
    var serverURL: String { "http://127.0.0.1:\(server.port)" }

    /// `tidings arguments --server …` run to its end, with `TIDINGS_API_TOKEN` set unless
    /// `environment` says otherwise.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        try await TidingsCommand.run(arguments + ["--server", serverURL], environment: clientEnvironment(environment))
    }

    /// `tidings arguments --server …` started in the background.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> TidingsCommand {
        try TidingsCommand(arguments + ["--server", serverURL], environment: clientEnvironment(environment))
    }

    /// Posts a signed callback for `sid`; expects the server to take it.
    func post(_ sid: String, _ status: String, errorCode: Int? = nil, rawDlrDoneDate: String? = nil, to: String = CallbackFixtures.to) async throws {
        let form = CallbackFixtures.parameters(sid: sid, status: status, errorCode: errorCode, rawDlrDoneDate: rawDlrDoneDate, to: to)
        try #require(try await callbacks.post(form) == 204)
    }

    /// Stops the server and removes its data.
    func stop(with signal: Int32 = SIGTERM) {
        server.stop(with: signal)
        directory.remove()
    }

    private func clientEnvironment(_ environment: [String: String]) -> [String: String] {
        ["TIDINGS_API_TOKEN": Self.apiToken].merging(environment) { $1 }
    }
}

/// The commands every client command shares: how they fail.
@Suite("tidings client commands: failures")
struct CLITests {
    @Test func anUnreachableServerIsOneLineOnStandardErrorAtOnce() async throws {
        let started = ContinuousClock.now
        let result = try await TidingsCommand.run(["status", CallbackFixtures.sid(1), "--server", "http://127.0.0.1:1"])
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(result.exitStatus != 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.hasPrefix("tidings: cannot reach Tidings at http://127.0.0.1:1 "))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test func aServerURLThatIsNotHTTPIsRefusedBeforeAnyRequest() async throws {
        let result = try await TidingsCommand.run(["stats", "--server", "127.0.0.1:8080"])
        #expect(result.exitStatus != 0)
        #expect(result.standardError.contains("--server 127.0.0.1:8080 is not an http:// or https:// URL"))
    }

    @Test func withoutTheAPITokenTheCommandSaysHowToGiveIt() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let result = try await served.run(["stats"], environment: ["TIDINGS_API_TOKEN": ""])
        #expect(result.exitStatus != 0)
        #expect(result.standardError == "tidings: Tidings at \(served.serverURL) needs its API token: set TIDINGS_API_TOKEN (or pass --api-token).\n")
    }

    @Test func aWrongAPITokenIsRefusedAndNeverPrinted() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        for arguments in [["stats", "--api-token", "not-the-token"], ["status", CallbackFixtures.sid(2), "--api-token", "not-the-token"]] {
            let result = try await served.run(arguments)
            #expect(result.exitStatus != 0)
            #expect(result.standardError.contains("refused the API token"))
            #expect(!result.standardError.contains("not-the-token"))
            #expect(!result.standardError.contains(ServedTidings.apiToken))
        }
        let fromEnvironment = try await served.run(["stats"], environment: ["TIDINGS_API_TOKEN": "also-wrong"])
        #expect(fromEnvironment.standardError.contains("refused the API token"))
    }
}
