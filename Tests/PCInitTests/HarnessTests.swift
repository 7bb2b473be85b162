import Foundation
import Glibc
import Testing

/// The harness itself: what the black-box tests rely on must hold, and must be able to fail.
@Suite("Test harness", .timeLimit(.minutes(1)))
struct HarnessTests {
    /// Starting a process that would make pcinit use a default endpoint throws before anything runs.
    @Test(arguments: [
        ([Paths.pcinit, "--socket", "/run/pcinit.sock", "true"], [String: String]()),
        ([Paths.pcinit, "--socket=/tmp/pcinit.sock", "true"], [:]),
        ([Paths.pcinit, "true"], ["PCINIT_SOCKET": ""]),
        ([Paths.pcinit, "--health-addr", "[::]:8558", "true"], [:]),
        (["sh", "-c", "exec \"$0\" true", Paths.pcinit], ["PCINIT_HEALTH_ADDR": "127.0.0.1"]),
        ([Paths.pcinit, "true"], ["PCINIT_HEALTH_ADDR": ":8558"]),
    ])
    func aDefaultEndpointIsRefused(arguments: [String], environment: [String: String]) throws {
        #expect(throws: SubprocessError.self) {
            try Subprocess(arguments, environment: .clean.with(environment))
        }
    }

    @Test func everyProcessGetsAPrivateSocketAndNoHealthListener() async throws {
        let process = try Subprocess(["env"])
        defer { process.killTree() }
        let result = try await process.wait()
        let socket = try #require(result.stdoutLines.first { $0.hasPrefix("PCINIT_SOCKET=") })
        #expect(socket.hasSuffix("/pcinit.sock") && !socket.hasPrefix("PCINIT_SOCKET=/run/"), "\(socket)")
        #expect(result.stdoutLines.contains("PCINIT_HEALTH_ADDR=off"), "\(result)")
        // Each process has its own.
        let other = try await Subprocess.run(["env"])
        #expect(!other.stdoutLines.contains(socket), "two processes share \(socket)")
    }

    /// A test's own endpoint wins; asking for pcinit's default leaves the variable unset.
    @Test func anExplicitEndpointOrTheDefaultIsLeftAlone() async throws {
        let port = freeTCPPort()
        let explicit = try await Subprocess.run(
            ["env"], environment: .clean.with(["PCINIT_HEALTH_ADDR": "127.0.0.1:\(port)"]))
        #expect(explicit.stdoutLines.contains("PCINIT_HEALTH_ADDR=127.0.0.1:\(port)"), "\(explicit)")
        let unset = try await Subprocess.run(["env"], environment: .clean.usingPCInitDefault(.healthAddress))
        #expect(!unset.stdout.contains("PCINIT_HEALTH_ADDR="), "\(unset)")
        #expect(unset.stdout.contains("PCINIT_SOCKET="), "\(unset)")
    }

    /// The end is stamped when the child exits, not when the test gets round to awaiting it.
    @Test func theEndIsStampedWhenTheChildExitsNotWhenItIsAwaited() async throws {
        let process = try Subprocess(["true"])
        defer { process.killTree() }
        // Not a race: the point of the test is to await late.
        try await Task.sleep(for: .seconds(3))
        let result = try await process.wait()
        #expect(result.status == 0)
        #expect(result.duration < .milliseconds(1500), "ended \(result.duration) after the spawn: stamped late")
    }

    /// killTree from another thread while a wait is pending: one reap (by the waiter), the wait sees SIGKILL.
    @Test func killTreeFromAnotherThreadEndsAPendingWait() async throws {
        let process = try Subprocess(["sleep", uniqueSleepSeconds()])
        defer { process.killTree() }
        async let result = process.wait(timeout: .seconds(20))
        await onDedicatedThread {
            process.killTree()
            process.killTree()
        }
        #expect(try await result.termination.signal == SIGKILL)
        #expect(!process.isRunning)
        #expect(ProcFS.isGone(process.pid), "not reaped")
    }

    /// A wait that times out kills the tree and says what was running.
    @Test func aTimedOutWaitKillsTheTreeAndDescribesIt() async throws {
        let sleeper = uniqueSleepSeconds()
        let process = try Subprocess(["sh", "-c", #"sleep "$0" & wait"#, sleeper])
        defer { process.killTree() }
        #expect(await Poll.until { !ProcFS.pids(commandLineContaining: sleeper).isEmpty })
        let error = await #expect(throws: SubprocessError.self) { try await process.wait(timeout: .milliseconds(300)) }
        #expect(error?.description.contains(sleeper) == true, "\(String(describing: error))")
        #expect(await Poll.until { ProcFS.pids(commandLineContaining: sleeper).isEmpty }, "the tree survived")
    }
}
