import Foundation
import Synchronization

/// A child process started with `posix_spawn`, for tests that run real programs.
///
/// Not Foundation's `Process`, which on Linux with Swift 6.3.1 crashes a run of this suite
/// now and then: `Process.run()` over-reads the `/proc/self/fd` entries it walks to close
/// the child's descriptors (swift-corelibs-foundation#5472), and `waitUntilExit()` spins on
/// a core for ever when it misses a child's end. Here the child closes every descriptor
/// above standard error itself (`posix_spawn_file_actions_addclosefrom_np`), starts with no
/// blocked signal and default dispositions, and its end is read with `waitpid`.
public final class ChildProcess: Sendable {
    /// The child's process ID.
    public let processIdentifier: pid_t
    /// The wait status once `waitpid` has reaped the child.
    private let waitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` and exactly `environment`; standard output and
    /// standard error go to the descriptors given (each dup'ed for the child; the caller
    /// keeps and closes its own), or to `/dev/null`.
    public init(
        executable: String, arguments: [String], environment: [String: String],
        standardOutput: Int32? = nil, standardError: Int32? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (descriptor, target) in [(standardOutput, Int32(1)), (standardError, Int32(2))] {
            if let descriptor {
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        _ = Self.closeFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        processIdentifier = pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's
    /// Glibc module does not show: found at run time; nil where the C library lacks it (the
    /// child then inherits the test process's descriptors that are not close-on-exec).
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Whether the child has not ended yet (it is reaped the first time it has).
    public var isRunning: Bool {
        waitStatus.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = raw
            return false
        }
    }

    /// How the child ended: its exit code, or the number of the signal that ended it; nil
    /// while it runs.
    public var terminationStatus: Int32? {
        guard !isRunning, let raw = waitStatus.withLock({ $0 }) else { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : signal
    }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Sends `signal`, gives the child 10 s to end, then kills it and gives it 10 s more:
    /// bounded, so that a child waiting for something in the test process never keeps a
    /// test thread blocked for good.
    public func stop(with signal: Int32 = SIGTERM) {
        guard isRunning else { return }
        kill(processIdentifier, signal)
        if hasEnded(within: .seconds(10)) { return }
        kill(processIdentifier, SIGKILL)
        _ = hasEnded(within: .seconds(10))
    }

    /// Whether the child ended within `timeout`, polled every 10 ms.
    public func hasEnded(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline {
            usleep(10_000)
        }
        return !isRunning
    }

    /// Runs `executable` to its end (or `timeout`, then kills it) with the test's
    /// environment, its output discarded; true when it exited with 0.
    public static func succeeds(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) -> Bool {
        guard let child = try? ChildProcess(
            executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment)
        else { return false }
        if !child.hasEnded(within: timeout) { child.stop(with: SIGKILL) }
        return child.terminationStatus == 0
    }
}
