// Black-box test harness for pcinit. The pieces, for whoever writes the next suite (config mode, health, ...):
//
//   Paths            the binary under test (PCINIT_BINARY or the one `swift test` built), Fixtures/, python3
//   runPCInit        run `pcinit ARGS` to completion → RunResult (status, stdout, stderr, started, ended); with
//                    `mode: .pid1` it runs as PID 1 of a fresh pid namespace (`unshare`)
//   RunningInit      start pcinit and keep it running: `pid`, `send(signal)` (→ when it was sent),
//                    `commandPID`, `wait()`, `killTree()`; `start` returns once pcinit's signalfd exists
//                    (signals are no longer lost)
//   Subprocess       any process, stdio captured in files, clean signal state, empty cwd by default; a
//                    ChildWaiter thread waits for its own pid only and stamps its end; `killTree()` (use it in
//                    `defer`) kills the tree and tagged escapees
//   PrivateEndpoints every process gets a private control socket and health `off` unless the test sets them;
//                    starting one that would use pcinit's defaults ([::]:8558, /run/pcinit.sock) throws
//   onDedicatedThread  blocking work (waitpid, sleeps, long loops) off the 2-thread async pool
//   ProcFS           /proc readers: stat (state, ppid, pgrp, session, tpgid), status fields, fds, cwd,
//                    children/descendants, lookup by command line or environment entry
//   Poll             deadline polling: `Poll.until { condition }`, `Poll.value { optional }`
//   TemporaryDirectory  scratch directory removed on deinit; `write`, `read`, `readPID`, `exists`
//   .needsPIDNamespace  trait: skip (reason printed once) where `unshare --pid` does not work
//
// Rules the tests follow: never `waitpid(-1)` (tests share one process); poll with deadlines instead of
// sleeping, and wait for a marker a service writes (e.g. after installing its trap) instead of hoping it is
// ready; measure what pcinit does from the moment the test acted (`send` → `result.ended(after:)`), with
// bounds far from the failure mode; never block an async thread; kill everything in every path
// (`defer { x.killTree() }`); give each test unique markers (`uniqueSleepSeconds()`, a TemporaryDirectory
// path) so parallel tests never see each other's processes.

import Foundation
import Glibc
import Testing

/// Where the pieces under test live.
enum Paths {
    /// The pcinit binary: `PCINIT_BINARY` if set (CI points it at the release build), else the `pcinit`
    /// that `swift test` built next to the test bundle.
    static let pcinit: String = {
        if let override = ProcessInfo.processInfo.environment["PCINIT_BINARY"], !override.isEmpty {
            return override
        }
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let candidates = [
            URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("pcinit").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pcinit").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// The canonical path of the binary, as /proc/PID/exe shows it.
    static let pcinitResolved: String = URL(fileURLWithPath: pcinit).resolvingSymlinksInPath().path

    /// Helper scripts (Tests/PCInitTests/Fixtures, copied into the test bundle).
    static let fixtures: String = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url.path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()

    static func fixture(_ name: String) -> String { "\(fixtures)/\(name)" }

    /// The system python3 (a pyenv shim on PATH costs a bash start per call).
    static let python3: String =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
}

/// Whether pcinit runs as PID 1 of a fresh pid namespace, or as an ordinary child (then it is a subreaper).
enum InitMode: String, CustomStringConvertible, Sendable {
    case subreaper = "not PID 1"
    case pid1 = "PID 1"

    var description: String { rawValue }

    /// The argv that starts pcinit with `arguments` in this mode.
    func command(_ arguments: [String]) -> [String] {
        switch self {
        case .subreaper: return [Paths.pcinit] + arguments
        case .pid1: return PIDNamespace.prefix + [Paths.pcinit] + arguments
        }
    }
}

/// `unshare --pid --fork --mount-proc`: pcinit as a real PID 1. Probed once, by the first test that asks;
/// tests that need it skip (with the reason printed) when it is not available, e.g. not root.
enum PIDNamespace {
    static let prefix = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]

    private static let probe = Task<String?, Never> {
        let reason: String?
        do {
            let result = try await Subprocess.run(prefix + ["sh", "-c", "test $$ = 1"], timeout: .seconds(10))
            reason =
                result.termination.exitCode == 0
                ? nil : "`unshare --pid --fork --mount-proc` failed (\(result.termination)): \(result.stderr)"
        } catch {
            reason = "cannot run `unshare --pid --fork --mount-proc`: \(error)"
        }
        if let reason {
            FileHandle.standardError.write(Data("PCInitTests: skipping PID 1 tests: \(reason)\n".utf8))
        }
        return reason
    }

    static func unavailableReason() async -> String? { await probe.value }

    static func isAvailable() async -> Bool { await unavailableReason() == nil }
}

extension Trait where Self == ConditionTrait {
    /// For tests that run pcinit as PID 1 under `unshare`: skipped, with the reason printed, without root.
    static var needsPIDNamespace: Self {
        .enabled("needs `unshare --pid --fork --mount-proc` (root)") { await PIDNamespace.isAvailable() }
    }
}

/// A pcinit started by a test and left running, so the test can look at it and signal it.
final class RunningInit: @unchecked Sendable {
    /// The process the test started: pcinit itself, or `unshare` above it.
    let process: Subprocess
    /// pcinit's pid as the test sees it (its host pid when it is PID 1 of a namespace).
    let pid: pid_t
    let mode: InitMode

    private init(process: Subprocess, pid: pid_t, mode: InitMode) {
        self.process = process
        self.pid = pid
        self.mode = mode
    }

    /// Starts `pcinit arguments...` and returns once pcinit is in its event loop (its signalfd exists:
    /// signals sent from then on are forwarded, not lost).
    static func start(
        _ arguments: [String],
        mode: InitMode = .subreaper,
        environment: Environment = .clean,
        workingDirectory: String? = nil,
        input: Input = .null,
        timeout: Duration = .seconds(10)
    ) async throws -> RunningInit {
        let process = try Subprocess(
            mode.command(arguments), environment: environment, workingDirectory: workingDirectory, input: input)
        var ready = false
        defer { if !ready { process.killTree() } }
        let pid: pid_t
        switch mode {
        case .subreaper:
            pid = process.pid
        case .pid1:
            let found = await Poll.value(timeout: timeout) {
                ProcFS.children(of: process.pid).first { ProcFS.executable($0) == Paths.pcinitResolved }
            }
            guard let found else {
                throw SubprocessError(description: "no pcinit appeared under unshare:\n\(process.stderr)")
            }
            pid = found
        }
        let running = RunningInit(process: process, pid: pid, mode: mode)
        guard await Poll.until(timeout: timeout, { running.isInEventLoop || !process.isRunning }) else {
            throw SubprocessError(description: "pcinit did not reach its event loop:\n\(process.stderr)")
        }
        guard process.isRunning else {
            throw SubprocessError(description: "pcinit ended early:\n\(process.stdout)\n\(process.stderr)")
        }
        ready = true
        return running
    }

    /// True once pcinit holds its signalfd.
    var isInEventLoop: Bool {
        ProcFS.fileDescriptors(pid).values.contains("anon_inode:[signalfd]")
    }

    /// Sends `signal` to pcinit (from outside its namespace in PID 1 mode); returns when it was sent, to
    /// measure what pcinit does from there (`result.ended(after:)`).
    @discardableResult
    func send(_ signal: Int32) -> ContinuousClock.Instant {
        let sent = ContinuousClock.now
        if process.isRunning { kill(pid, signal) }
        return sent
    }

    /// pcinit's direct child (the command), if it has one.
    var commandPID: pid_t? { ProcFS.children(of: pid).first }

    func wait(timeout: Duration = .seconds(30)) async throws -> RunResult {
        try await process.wait(timeout: timeout)
    }

    func killTree() { process.killTree() }
}

/// Runs `pcinit arguments...` to completion.
func runPCInit(
    _ arguments: [String],
    mode: InitMode = .subreaper,
    environment: Environment = .clean,
    workingDirectory: String? = nil,
    input: Input = .null,
    timeout: Duration = .seconds(30)
) async throws -> RunResult {
    try await Subprocess.run(
        mode.command(arguments), environment: environment, workingDirectory: workingDirectory, input: input,
        timeout: timeout)
}

/// A marker unique to one test run, to find (and clean up) the processes that test started.
func uniqueMarker(_ label: String) -> String {
    "pcinit-test-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}

/// A `sleep` duration no other test uses: `sleep <this>` is easy to find in /proc.
func uniqueSleepSeconds() -> String {
    "\(Int.random(in: 900...999)).\(Int.random(in: 100_000...999_999))"
}
