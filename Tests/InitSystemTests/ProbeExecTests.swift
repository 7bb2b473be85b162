import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread, .timeLimit(.minutes(1)))
struct ProbeExecTests {
    @Test func execCheckSucceedsWhenTheCommandExitsZero() throws {
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(execProbe("exit 0")))
        #expect(outcome.success)
        #expect(outcome.detail == "exit code 0")
    }

    @Test func execCheckFailsWithTheExitCodeInItsDetail() throws {
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(execProbe("exit 3")))
        #expect(!outcome.success)
        #expect(outcome.detail == "exit code 3")
    }

    @Test func execCheckRunsWithTheServiceEnvironmentAndWorkingDirectory() throws {
        let directory = makeTemporaryDirectory("exec-env")
        defer { rmdir(directory) }
        let harness = try ProbeHarness()
        let outcome = try #require(
            harness.check(
                execProbe(#"test "$PROBE_VAR" = "hello world" && test "$(pwd -P)" = "\#(directory)""#),
                environment: ["PATH=/usr/bin:/bin", "PROBE_VAR=hello world"],
                workingDirectory: directory
            )
        )
        #expect(outcome.success, "\(outcome.detail)")
    }

    @Test func probeWorkingDirOverridesTheServiceWorkingDirectory() throws {
        let directory = makeTemporaryDirectory("exec-wd")
        defer { rmdir(directory) }
        let harness = try ProbeHarness()
        let outcome = try #require(
            harness.check(
                execProbe(#"test "$(pwd -P)" = "\#(directory)""#, workingDir: directory), workingDirectory: "/")
        )
        #expect(outcome.success, "\(outcome.detail)")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to change users"))
    func execCheckRunsAsTheServicesUserWithItsUmaskAndLimits() throws {
        let harness = try ProbeHarness()
        let user = ServiceUser(spec: "nobody", name: "nobody", uid: 65534, gid: 65534, groups: [65534], home: "/")
        let process = ProcessSettings(
            user: user, umask: 0o027, resourceLimits: [.init(resource: .nofile, soft: 77, hard: 77)])
        let check = #"test "$(id -u):$(id -g)" = 65534:65534 && test "$(umask)" = 0027 && test "$(ulimit -n)" = 77"#
        let outcome = try #require(harness.check(execProbe(check), process: process))
        #expect(outcome.success, "\(outcome.detail)")
        // The same check as pcinit's own user fails: the settings are what made it pass.
        #expect(try #require(ProbeHarness().check(execProbe(check))).success == false)
    }

    @Test func execCheckUsesTheConfiguredShell() throws {
        let harness = try ProbeHarness(shell: ShellConfig(command: "/bin/sh", argument: "-ec"))
        // With -e the first failing command ends the script, so `exit 0` is never reached.
        let outcome = try #require(harness.check(execProbe("false; exit 0")))
        #expect(!outcome.success)
        #expect(outcome.detail == "exit code 1")
    }

    @Test func execCheckHasStdioOnDevNullAndNoInheritedDescriptors() throws {
        // A descriptor without close-on-exec, far above the ones the test runner uses.
        let leaky = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, 300)
        try #require(leaky >= 300)
        defer { close(leaky) }
        let harness = try ProbeHarness()
        let command = """
            for fd in 0 1 2; do test "$(readlink /proc/$$/fd/$fd)" = /dev/null || exit 10; done
            test ! -e /proc/$$/fd/\(leaky) || exit 11
            """
        let outcome = try #require(harness.check(execProbe(command)))
        #expect(outcome.success, "\(outcome.detail)")
    }

    @Test func execCheckTimesOutAndKillsItsWholeProcessGroup() throws {
        let directory = makeTemporaryDirectory("exec-timeout")
        let pidFile = directory + "/background.pid"
        defer {
            unlink(pidFile)
            rmdir(directory)
        }
        let harness = try ProbeHarness()
        let outcome = try #require(
            harness.check(execProbe("sleep 30 & echo $! > \(pidFile); sleep 30", timeout: .milliseconds(300)))
        )
        #expect(!outcome.success)
        #expect(outcome.detail == "timed out after 300ms")
        #expect(outcome.elapsed < .milliseconds(300) + .milliseconds(250), "took \(outcome.elapsed)")
        #expect(harness.children.waiting == 0, "the timed-out check's shell must have been killed and reaped")
        let background = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(waitUntilGoneOrZombie(pid: try #require(pid_t(background))))
    }

    @Test func execCheckKillsWhatTheCommandLeftRunningAfterItExits() throws {
        let directory = makeTemporaryDirectory("exec-leftover")
        let pidFile = directory + "/background.pid"
        defer {
            unlink(pidFile)
            rmdir(directory)
        }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(execProbe("sleep 30 & echo $! > \(pidFile); exit 0")))
        #expect(outcome.success)
        let background = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(waitUntilGoneOrZombie(pid: try #require(pid_t(background))))
    }

    @Test func cancelledExecCheckNeverCompletesAndIsKilled() throws {
        let harness = try ProbeHarness()
        let runner = harness.runner
        let children = harness.children
        var calls = 0
        let id = runner.run(execProbe("sleep 30", timeout: .seconds(5)), environment: [], workingDirectory: nil) {
            _, _ in calls += 1
        }
        var cancelled = false
        harness.loop.schedule(at: MonotonicClock.now() + .milliseconds(100)) {
            runner.cancel(id)
            cancelled = true
        }
        runLoop(harness.loop, for: .seconds(5), settle: .milliseconds(50), tick: children.poll) {
            cancelled && children.waiting == 0
        }
        #expect(cancelled)
        #expect(runner.activeCount == 0)
        #expect(children.waiting == 0, "the cancelled check's process must have been killed")
        #expect(calls == 0)
    }

    @Test func spawnFailureIsReportedAfterRunReturnsNotInsideIt() throws {
        let harness = try ProbeHarness()
        var calls: [(Bool, String)] = []
        harness.runner.run(execProbe("exit 0"), environment: [], workingDirectory: "/nonexistent/pcinit-probe-dir") {
            calls.append(($0, $1))
        }
        #expect(calls.isEmpty, "completion must not run inside run()")
        runLoop(harness.loop, for: .seconds(2)) { !calls.isEmpty }
        try #require(calls.count == 1)
        #expect(!calls[0].0)
        #expect(calls[0].1.contains("/nonexistent/pcinit-probe-dir"), "\(calls[0].1)")
    }

    @Test func timeoutsAreDescribedBriefly() {
        #expect(DurationText.format(.seconds(1)) == "1s")
        #expect(DurationText.format(.milliseconds(300)) == "300ms")
        #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
        #expect(DurationText.format(.seconds(30)) == "30s")
    }

    /// The real wiring: exits come from ChildRegistry.reap(), which waits for any child. That is only safe
    /// in a process of its own, so the body runs as an exit test.
    @Test func execCheckThroughChildRegistryReportsEachExit() async {
        await #expect(processExitsWith: .success) {
            guard let loop = try? EventLoop() else { exit(2) }
            let children = ChildRegistry()
            let runner = ProbeRunner(loop: loop, children: children, signals: defaultInheritedSignals(), shell: .init())
            var results: [String: (Bool, String)] = [:]
            for command in ["exit 0", "exit 5", "kill -9 $$"] {
                runner.run(execProbe(command), environment: ["PATH=/usr/bin:/bin"], workingDirectory: nil) {
                    results[command] = ($0, $1)
                }
            }
            runLoop(loop, for: .seconds(10), tick: { children.reap() }, until: { results.count == 3 })
            let expected =
                results["exit 0"]! == (true, "exit code 0") && results["exit 5"]! == (false, "exit code 5")
                && results["kill -9 $$"]! == (false, "killed by SIGKILL")
            exit(expected ? 0 : 1)
        }
    }
}

/// True once `pid` no longer runs (gone, or a zombie waiting for whoever reaps orphans here). Sleeps between
/// checks: for suites on dedicated threads (`.onDedicatedThread`) only.
func waitUntilGoneOrZombie(pid: pid_t, limit: Duration = .seconds(3)) -> Bool {
    let giveUp = MonotonicClock.now() + limit
    while MonotonicClock.now() < giveUp {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // The state letter follows the parenthesised command name.
        if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
        usleep(10_000)
    }
    return false
}
