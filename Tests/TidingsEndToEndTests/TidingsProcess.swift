import Foundation
import Synchronization

/// A real `tidings serve` child process on a free loopback port, for tests that must see
/// the binary as users run it: its start-up, its standard streams, a crash.
final class TidingsProcess: Sendable {
    /// The port it listens on, read from its start-up banner.
    let port: Int
    /// Where its standard output (the log sink's JSON lines) goes.
    let standardOutput: URL
    private let process: Mutex<Process>
    private let standardError: Pipe

    /// The `tidings` executable SwiftPM built next to the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "tidings")
    }

    /// Starts `tidings serve` with `arguments` (plus `--host 127.0.0.1 --port 0`) and
    /// waits, at most 30 s, for the banner — without blocking a thread of the test's own
    /// concurrency pool, which the test's in-process receivers need meanwhile.
    ///
    /// - Parameter launcher: a command that runs it, e.g. `["/usr/bin/prlimit",
    ///   "--nofile=1024:1024", "--"]` to start it under another open-file limit.
    init(arguments: [String], environment: [String: String], standardOutput: URL, launcher: [String] = []) async throws {
        let process = Process()
        let serve = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Self.executable.path] + serve
        } else {
            process.executableURL = Self.executable
            process.arguments = serve
        }
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TIDINGS_") }
            .merging(environment) { $1 }
        FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        let standardError = Pipe()
        process.standardError = standardError
        try process.run()

        let banner = BannerReader()
        standardError.fileHandleForReading.readabilityHandler = { handle in banner.append(handle.availableData) }
        guard let port = await banner.waitForPort(timeout: .seconds(30)) else {
            process.terminate()
            throw StartError(output: banner.text)
        }
        self.port = port
        self.standardOutput = standardOutput
        self.process = Mutex(process)
        self.standardError = standardError
    }

    /// Sends `signal` and waits for the process to end (see ``Foundation/Process/stop(with:)``).
    func stop(with signal: Int32 = SIGTERM) {
        process.withLock { $0.stop(with: signal) }
        standardError.fileHandleForReading.readabilityHandler = nil
    }

    struct StartError: Error, CustomStringConvertible {
        let output: String
        var description: String { "tidings serve did not start; it said:\n\(output)" }
    }
}

/// Collects the child's standard error and finds the port in its banner.
private final class BannerReader: Sendable {
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

    func waitForPort(timeout: Duration) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while port == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return port
    }
}

extension Process {
    /// Sends `signal`, gives the process 10 s to end, then kills it and gives it 10 s more.
    ///
    /// Bounded on purpose, both ways: a child that is waiting for something in the test
    /// process (a webhook receiver) must not keep a test thread blocked for good, and neither
    /// may Foundation, whose `waitUntilExit()` spins on a core for ever when it misses a
    /// child's end (seen here under load: the child a zombie, `isRunning` still true). A test
    /// that reads the exit status of a process that did not end then fails; it never hangs.
    func stop(with signal: Int32 = SIGTERM) {
        guard isRunning else { return }
        kill(processIdentifier, signal)
        if hasEnded(within: .seconds(10)) { return }
        kill(processIdentifier, SIGKILL)
        _ = hasEnded(within: .seconds(10))
    }

    /// Whether Foundation saw the process end within `timeout`, polled every 10 ms.
    private func hasEnded(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline {
            usleep(10_000)
        }
        return !isRunning
    }
}
