import Foundation
import Synchronization
import TidingsTestSupport

/// A real `tidings serve` child process on a free loopback port, for tests that must see
/// the binary as users run it: its start-up, its standard streams, a crash.
final class TidingsProcess: Sendable {
    /// The port it listens on, read from its start-up banner.
    let port: Int
    /// Where its standard output (the log sink's JSON lines) goes.
    let standardOutput: URL
    private let process: ChildProcess
    private let standardError: Pipe
    private let standardErrorReader: StandardErrorReader

    /// The `tidings` executable SwiftPM built next to the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "tidings")
    }

    /// Starts `tidings serve` with `arguments` (plus `--host 127.0.0.1 --port 0`) and
    /// waits, at most 30 s, for the banner — without blocking a thread of the test's own
    /// concurrency pool, which the test's in-process receivers need meanwhile.
    ///
    /// - Parameters:
    ///   - executable: the `tidings` to run; by default the one built with the tests.
    ///   - launcher: a command that runs it, e.g. `["/usr/bin/prlimit", "--nofile=1024:1024",
    ///     "--"]` to start it under another open-file limit.
    /// - Throws: ``StartError`` with what it wrote to standard error when it ended, or had
    ///   not printed its banner within 30 s.
    init(
        executable: URL = TidingsProcess.executable, arguments: [String], environment: [String: String],
        standardOutput: URL, launcher: [String] = []
    ) async throws {
        let serve = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        let command = launcher + [executable.path] + serve
        FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        let output = try FileHandle(forWritingTo: standardOutput)
        let standardError = Pipe()
        let process = try ChildProcess(
            executable: command[0], arguments: Array(command.dropFirst()),
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TIDINGS_") }
                .merging(environment) { $1 },
            standardOutput: output.fileDescriptor, standardError: standardError.fileHandleForWriting.fileDescriptor)
        try output.close()
        try standardError.fileHandleForWriting.close()

        let standardErrorReader = StandardErrorReader()
        standardError.fileHandleForReading.readabilityHandler = { handle in standardErrorReader.append(handle.availableData) }
        guard let port = await standardErrorReader.waitForPort(timeout: .seconds(30), while: { process.isRunning }) else {
            process.stop(with: SIGKILL)
            standardError.fileHandleForReading.readabilityHandler = nil
            // The child has ended, so its standard error is at its end: nothing is left out.
            standardErrorReader.append(standardError.fileHandleForReading.readDataToEndOfFile())
            throw StartError(output: standardErrorReader.text, terminationStatus: process.terminationStatus)
        }
        self.port = port
        self.standardOutput = standardOutput
        self.process = process
        self.standardError = standardError
        self.standardErrorReader = standardErrorReader
    }

    /// What it has written to standard error so far (its banner and its log).
    var errorOutput: String { standardErrorReader.text }

    /// How it ended: its exit code, or the signal that ended it; nil while it runs.
    var terminationStatus: Int32? { process.terminationStatus }

    /// Whether it ended within `timeout`.
    func hasEnded(within timeout: Duration) -> Bool { process.hasEnded(within: timeout) }

    /// Sends `signal` and waits, bounded, for the process to end (``ChildProcess/stop(with:)``).
    func stop(with signal: Int32 = SIGTERM) {
        process.stop(with: signal)
        standardError.fileHandleForReading.readabilityHandler = nil
    }

    struct StartError: Error, CustomStringConvertible {
        /// What it wrote to standard error.
        let output: String
        /// Its exit code, or the signal that ended it.
        let terminationStatus: Int32?
        var description: String { "tidings serve did not start; it said:\n\(output)" }
    }
}

/// Collects the child's standard error and finds the port in its banner.
private final class StandardErrorReader: Sendable {
    private let buffer = Mutex(Data())

    var text: String { String(decoding: buffer.withLock { $0 }, as: UTF8.self) }

    func append(_ data: Data) {
        guard !data.isEmpty else { return }
        buffer.withLock { $0.append(data) }
    }

    var port: Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Tidings is listening on") }),
              let colon = line.lastIndex(of: ":")
        else { return nil }
        return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// The port once the banner shows it; nil after `timeout`, or as soon as `isRunning`
    /// says the process has ended.
    func waitForPort(timeout: Duration, while isRunning: () -> Bool) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while port == nil, ContinuousClock.now < deadline, isRunning() {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return port
    }
}
