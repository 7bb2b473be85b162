import Foundation
import Glibc
import Testing

/// An idle pcinit costs nothing: no wake-ups, one thread.
@Suite("Idle footprint", .timeLimit(.minutes(1)))
struct FootprintTests {
    @Test func notPID1NoWakeupsWhileIdle() async throws {
        try await noWakeupsWhileIdle(mode: .subreaper)
    }

    @Test(.needsPIDNamespace)
    func asPID1NoWakeupsWhileIdle() async throws {
        try await noWakeupsWhileIdle(mode: .pid1)
    }

    /// tini polls once a second; pcinit must sleep until something happens (the README benchmark uses 10 s).
    private func noWakeupsWhileIdle(mode: InitMode) async throws {
        let pcinit = try await RunningInit.start(["sleep", uniqueSleepSeconds()], mode: mode)
        defer { pcinit.killTree() }
        // Start-up is over once the command runs and pcinit sleeps in epoll_wait (on a loaded machine that can
        // take a while, and every preemption until then counts as a context switch).
        let settled = await Poll.until {
            pcinit.commandPID.flatMap(ProcFS.commandLine)?.first == "sleep" && ProcFS.isWaitingInEpoll(pcinit.pid)
        }
        try #require(settled, "pcinit never went to sleep in epoll_wait:\n\(ProcFS.describeTree(of: pcinit.pid))")
        let before = try #require(ProcFS.contextSwitches(pcinit.pid))
        // Not a race: the measuring window, in which nothing may wake pcinit.
        try await Task.sleep(for: .seconds(3))
        let after = try #require(ProcFS.contextSwitches(pcinit.pid))
        #expect(after - before == 0, "pcinit woke up \(after - before) times in 3 s while idle")
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }

    @Test func notPID1RunsOnOneThread() async throws {
        try await runsOnOneThread(mode: .subreaper)
    }

    @Test(.needsPIDNamespace)
    func asPID1RunsOnOneThread() async throws {
        try await runsOnOneThread(mode: .pid1)
    }

    private func runsOnOneThread(mode: InitMode) async throws {
        let pcinit = try await RunningInit.start(["sleep", uniqueSleepSeconds()], mode: mode)
        defer { pcinit.killTree() }
        #expect(ProcFS.threadCount(pcinit.pid) == 1)
        #expect(ProcFS.statusField(pcinit.pid, "Threads") == "1")
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }
}
