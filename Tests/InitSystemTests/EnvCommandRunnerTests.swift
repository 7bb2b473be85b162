import Glibc
import InitCore
import Testing

@testable import InitSystem

/// `env_cmds` commands for real: the output, a failure, and the 2 s limit. Each test blocks on a child, so the
/// suite runs on dedicated threads.
@Suite(.onDedicatedThread, .timeLimit(.minutes(1))) struct EnvCommandRunnerTests {
    func run(_ command: String, timeout: Duration = .seconds(2)) -> EnvCommandResult {
        EnvCommandRunner.run(
            EnvCommandRequest(arguments: ["/bin/sh", "-c", command], timeout: timeout),
            signals: defaultInheritedSignals())
    }

    @Test func theOutputIsTheValue() {
        #expect(run("printf '  a value \\n'; echo ignored >&2") == .output("  a value \n"))
        #expect(run("true") == .output(""))
    }

    @Test func aFailureSaysWhy() {
        #expect(run("echo 'no such thing' >&2; exit 3") == .failed("exited 3 (no such thing)"))
        #expect(run("kill -9 $$") == .failed("killed by SIGKILL"))
        guard
            case .failed(let reason) = EnvCommandRunner.run(
                EnvCommandRequest(arguments: ["/nonexistent/tool"], timeout: .seconds(2)),
                signals: defaultInheritedSignals())
        else {
            Issue.record("a missing program gave a value")
            return
        }
        #expect(reason.hasPrefix("cannot start: /nonexistent/tool"))
    }

    /// The limit holds even when the command's children keep the pipe open; they are killed with the group.
    @Test func aSlowCommandTimesOutAndItsGroupIsKilled() {
        let started = ContinuousClock.now
        let sleep = "sleep 97.\(Int.random(in: 100_000...999_999))"
        #expect(run("\(sleep) & \(sleep); echo late", timeout: .milliseconds(300)) == .failed("timed out after 300ms"))
        let elapsed = ContinuousClock.now - started
        // Far from both failure modes: returning at once, and waiting for the 97 s sleep.
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(30), "\(elapsed)")
        // SIGKILL lands asynchronously: wait (with a deadline) for the killed sleeps to be gone.
        let deadline = ContinuousClock.now + .seconds(10)
        while !leftovers(containing: sleep).isEmpty && ContinuousClock.now < deadline { usleep(10_000) }
        #expect(leftovers(containing: sleep).isEmpty)
    }

    /// Processes whose command line contains `text` (the test's unique sleep).
    func leftovers(containing text: String) -> [String] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard Int(name) != nil, let file = fopen("/proc/\(name)/cmdline", "r") else { continue }
            var bytes: [UInt8] = []
            var c = fgetc(file)
            while c != EOF {
                bytes.append(c == 0 ? 32 : UInt8(c))
                c = fgetc(file)
            }
            fclose(file)
            let line = String(decoding: bytes, as: UTF8.self)
            // A zombie not yet reaped by its (killed) parent's reaper has an empty command line.
            if line.contains(text) { found.append(line) }
        }
        return found
    }
}
