import CInit
import Foundation
import Glibc

/// How a process ended, decoded from its wait status.
struct Termination: Equatable, CustomStringConvertible {
    let rawStatus: Int32

    /// The exit code, if the process exited normally.
    var exitCode: Int32? { pci_wifexited(rawStatus) != 0 ? pci_wexitstatus(rawStatus) : nil }
    /// The signal that killed the process, if one did.
    var signal: Int32? { pci_wifsignaled(rawStatus) != 0 ? pci_wtermsig(rawStatus) : nil }
    /// What a shell's `$?` would show: the exit code, or 128+N for death by signal N.
    var shellCode: Int32 { exitCode ?? (128 + (signal ?? 0)) }

    var description: String {
        if let exitCode { return "exited \(exitCode)" }
        return "killed by signal \(signal ?? -1)"
    }
}

/// A finished run: how it ended, what it printed, when it started and ended. Both instants are stamped where
/// they happen (the spawn, the kernel's report of the exit), not when the test got round to looking.
struct RunResult: CustomStringConvertible {
    var termination: Termination
    var stdout: String
    var stderr: String
    var started: ContinuousClock.Instant
    var ended: ContinuousClock.Instant
    /// `ended` as seconds since the epoch, to compare with the services' own `date +%s.%N` stamps.
    var endedEpochSeconds: Double

    var duration: Duration { ended - started }
    /// Shell-style status (exit code or 128+signal).
    var status: Int32 { termination.shellCode }
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// How long after `instant` (e.g. when the test sent a signal) the process ended.
    func ended(after instant: ContinuousClock.Instant) -> Duration { ended - instant }

    var description: String {
        "\(termination) after \(duration)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }
}

struct SubprocessError: Error, CustomStringConvertible {
    var description: String
}

/// The environment handed to a process the tests start: the test runner's own, minus pcinit and
/// process-compose settings that would change pcinit's behaviour, plus the test's overrides. Subprocess adds
/// private pcinit endpoints (PrivateEndpoints) unless the test set its own or asked for pcinit's defaults.
struct Environment {
    var variables: [String: String]
    /// pcinit endpoints left at pcinit's own defaults, for the few tests of those defaults.
    var pcinitDefaults: Set<PCInitEndpoint> = []

    static var clean: Environment {
        var variables = ProcessInfo.processInfo.environment
        for name in variables.keys
        where name.hasPrefix("PCINIT_") || name.hasPrefix("PC_") || name == "NOTIFY_SOCKET"
            || name == Subprocess.tagVariable
        {
            variables[name] = nil
        }
        return Environment(variables: variables)
    }

    func with(_ overrides: [String: String]) -> Environment {
        Environment(variables: variables.merging(overrides) { $1 }, pcinitDefaults: pcinitDefaults)
    }

    /// Leaves `endpoints` unset, so pcinit falls back to its defaults. Only where nothing can be shared: a
    /// fake /run, or a mode in which pcinit opens neither endpoint.
    func usingPCInitDefault(_ endpoints: PCInitEndpoint...) -> Environment {
        var copy = self
        copy.pcinitDefaults.formUnion(endpoints)
        return copy
    }

    var entries: [String] { variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
}

/// What the process reads on stdin.
enum Input {
    case null
    case text(String)
}

/// A process started by a test, with stdout/stderr captured in files (so a leftover grandchild holding
/// them open can never make the test hang) and a clean signal state (empty mask, default dispositions).
/// It runs in its own process group and never becomes the terminal's foreground group. Its working directory
/// is an empty temporary directory unless given; pcinit endpoints are private (PrivateEndpoints).
///
/// A ChildWaiter thread waits for this pid only (never `waitpid(-1)`: tests run in parallel in one process)
/// and stamps its end. Always pair with `defer { process.killTree() }` so nothing is left behind when an
/// expectation fails.
final class Subprocess: @unchecked Sendable {
    let pid: pid_t
    let arguments: [String]
    /// The environment it was started with, exactly: the test's, the harness's endpoints and the tag.
    let environmentEntries: [String]
    /// Stamped right before the spawn.
    let started: ContinuousClock.Instant
    /// `BLACKBOX_TEST_TAG=<unique>` goes into the environment of the process and so of everything it
    /// starts: `killTree` finds escapees by it (orphans re-parented elsewhere after the init under test died).
    let tag = "\(Subprocess.tagVariable)=\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    static let tagVariable = "BLACKBOX_TEST_TAG"
    private let files: TemporaryDirectory
    private let waiter: ChildWaiter

    init(
        _ arguments: [String],
        environment: Environment = .clean,
        workingDirectory: String? = nil,
        input: Input = .null
    ) throws {
        precondition(!arguments.isEmpty)
        self.arguments = arguments
        files = try TemporaryDirectory(prefix: "pcinit-run")
        let environment = PrivateEndpoints.apply(to: environment, directory: files.path)
        if let violation = PrivateEndpoints.violation(arguments: arguments, environment: environment) {
            throw SubprocessError(description: violation)
        }
        environmentEntries = environment.entries + [tag]
        // Default: an empty directory, so no process-compose.yml is ever discovered by accident.
        let directory = workingDirectory ?? files.path("cwd")
        if workingDirectory == nil { mkdir(directory, 0o755) }
        let stdinPath: String
        switch input {
        case .null:
            stdinPath = "/dev/null"
        case .text(let text):
            stdinPath = files.path("stdin")
            try text.write(toFile: stdinPath, atomically: false, encoding: .utf8)
        }
        let stdinFD = open(stdinPath, O_RDONLY | O_CLOEXEC)
        let stdoutFD = open(files.path("stdout"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let stderrFD = open(files.path("stderr"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer {
            for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
        }
        guard stdinFD >= 0, stdoutFD >= 0, stderrFD >= 0 else {
            throw SubprocessError(description: "cannot open stdio files: \(String(cString: strerror(errno)))")
        }
        var mask = sigset_t()
        sigemptyset(&mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in 1...Int32(pci_sigrtmax()) where signal != SIGKILL && signal != SIGSTOP {
            sigaddset(&defaults, signal)
        }
        let argv = CStrings(arguments)
        let envp = CStrings(environmentEntries)
        defer {
            argv.free()
            envp.free()
        }
        var child: pid_t = 0
        let program = arguments[0]
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/bin:/usr/bin"
        var failedStep: Int32 = 0
        started = .now
        let err = program.withCString { path in
            directory.withCString { directory in
                searchPath.withCString { searchPath in
                    // The sigsets must outlive the request that points at them.
                    withUnsafePointer(to: &mask) { childMask in
                        withUnsafePointer(to: &defaults) { defaultSignals in
                            var request = pci_spawn_request(
                                path: path,
                                argv: argv.pointer,
                                envp: envp.pointer,
                                working_dir: directory,
                                search_path: program.contains("/") ? nil : searchPath,
                                new_process_group: 1,
                                tty_fd: -1,
                                stdin_fd: stdinFD,
                                stdout_fd: stdoutFD,
                                stderr_fd: stderrFD,
                                close_from: 3,
                                child_mask: childMask,
                                default_signals: defaultSignals,
                                rlimits: nil,
                                rlimit_count: 0,
                                umask: -1,
                                change_identity: 0,
                                uid: 0,
                                gid: 0,
                                groups: nil,
                                group_count: 0,
                                no_new_privileges: 0,
                                controlling_tty_fd: -1
                            )
                            var failedItem: Int32 = -1
                            return pci_spawn(&request, &child, &failedStep, &failedItem)
                        }
                    }
                }
            }
        }
        guard err == 0 else {
            throw SubprocessError(description: "cannot start \(arguments): \(String(cString: strerror(err)))")
        }
        pid = child
        waiter = ChildWaiter(pid: child)
    }

    deinit { killTree() }

    /// Runs to completion (or kills it after `timeout` and throws).
    static func run(
        _ arguments: [String],
        environment: Environment = .clean,
        workingDirectory: String? = nil,
        input: Input = .null,
        timeout: Duration = .seconds(30)
    ) async throws -> RunResult {
        let process = try Subprocess(
            arguments, environment: environment, workingDirectory: workingDirectory, input: input)
        defer { process.killTree() }
        return try await process.wait(timeout: timeout)
    }

    /// Never blocks: the termination if the process has ended (the waiter reaped it), nil while it runs.
    @discardableResult
    func poll() -> Termination? {
        if case .ended(let termination, _, _)? = waiter.current { return termination }
        return nil
    }

    var isRunning: Bool { waiter.current == nil }

    /// Waits for the process to end; on timeout kills it and everything under it, then throws.
    func wait(timeout: Duration = .seconds(30)) async throws -> RunResult {
        switch await waiter.end(within: timeout) {
        case .ended(let termination, let ended, let epochSeconds)?:
            return RunResult(
                termination: termination, stdout: stdout, stderr: stderr, started: started, ended: ended,
                endedEpochSeconds: epochSeconds)
        case .lost?:
            throw SubprocessError(
                description: "\(arguments): pid \(pid) was reaped by someone else (waitpid(-1) in the test process?)")
        case nil:
            let tree = ProcFS.describeTree(of: pid)
            killTree()
            throw SubprocessError(
                description: "\(arguments) still running after \(timeout); killed. Tree was:\n\(tree)"
                    + "\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)")
        }
    }

    /// Sends `signal` to the process itself; returns when it was sent.
    @discardableResult
    func send(_ signal: Int32) -> ContinuousClock.Instant {
        var sent = ContinuousClock.now
        waiter.whileRunning {
            sent = .now
            kill(pid, signal)
        }
        return sent
    }

    /// SIGKILLs every descendant, then the process (the waiter reaps it); then SIGKILLs any process still
    /// carrying this run's environment tag. Safe to call more than once, from any thread.
    func killTree() {
        waiter.whileRunning {
            for _ in 0..<3 {
                let below = ProcFS.descendants(of: pid)
                if below.isEmpty { break }
                for victim in below { kill(victim, SIGKILL) }
            }
            kill(pid, SIGKILL)
        }
        for escapee in ProcFS.pids(withEnvironmentEntry: tag) { kill(escapee, SIGKILL) }
    }

    /// Everything written to stdout so far.
    var stdout: String { (try? String(contentsOfFile: files.path("stdout"), encoding: .utf8)) ?? "" }
    /// Everything written to stderr so far.
    var stderr: String { (try? String(contentsOfFile: files.path("stderr"), encoding: .utf8)) ?? "" }
}

/// A NULL-terminated `char *[]`.
private struct CStrings {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (i, string) in strings.enumerated() { pointer[i] = strdup(string) }
        pointer[strings.count] = nil
    }

    func free() {
        for i in 0..<count { Glibc.free(pointer[i]) }
        pointer.deallocate()
    }
}

/// A fresh directory under $TMPDIR, removed (with its contents) when the object goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(prefix: String = "pcinit-test") throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SubprocessError(description: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func path(_ name: String) -> String { "\(path)/\(name)" }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    func read(_ name: String) -> String? { try? String(contentsOfFile: path(name), encoding: .utf8) }

    /// A pid (or any integer) a script wrote to `name`, once the file holds one.
    func readPID(_ name: String) -> pid_t? {
        read(name).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let file = path(name)
        // Plain open/write: Foundation's String.write fsyncs, which on a busy machine held a pool thread for
        // seconds. Written to a temporary name and renamed, so a pcinit reading the file never sees half of it.
        let temporary = file + ".writing"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file]) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
            }
            written += n
        }
        close(fd)
        chmod(temporary, mode_t(mode))
        guard rename(temporary, file) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
        }
        return file
    }
}
