import Foundation
import Glibc
import Testing

/// When the command exits, what is left (its group and orphans) gets SIGTERM, a grace period, then
/// SIGKILL; pcinit exits with the command's code only when no descendant is left.
@Suite("Cleanup after the command exits", .timeLimit(.minutes(1)))
struct CleanupTests {
    /// sh starts `leftover.py MODE DIR [detach]` in the background, waits until it is set up, then exits
    /// with `exitCode`.
    private func runWithLeftover(
        _ leftoverMode: String, detached: Bool, exitCode: Int32, mode: InitMode, grace: String?
    ) async throws -> (RunResult, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let script = #"""
            "$0" "$1" "$2" "$3" $4 &
            while [ ! -e "$3/pid" ]; do sleep 0.01; done
            exit $5
            """#
        var environment = Environment.clean
        if let grace { environment = environment.with(["PCINIT_GRACE": grace]) }
        let arguments = [
            "sh", "-c", script, Paths.python3, Paths.fixture("leftover.py"), leftoverMode, directory.path,
            detached ? "detach" : "", "\(exitCode)",
        ]
        let process = try Subprocess(mode.command(arguments), environment: environment)
        defer { process.killTree() }  // also kills a leftover that outlived a failed pcinit
        let result = try await process.wait(timeout: .seconds(40))
        return (result, directory)
    }

    /// The leftover's pid as it sees it (a namespace pid in PID 1 mode).
    private func leftoverPID(_ directory: TemporaryDirectory) -> pid_t? { directory.readPID("pid") }

    @Test func notPID1LeftoverInTheGroupGetsTERMAndFinishesItsCleanup() async throws {
        try await leftoverGetsTermAndCleansUp(mode: .subreaper, detached: false)
    }

    @Test func notPID1DetachedOrphanGetsTERMAndFinishesItsCleanup() async throws {
        try await leftoverGetsTermAndCleansUp(mode: .subreaper, detached: true)
    }

    /// No peer does this: as PID 1 they exit at once and the kernel SIGKILLs the rest of the namespace.
    @Test(.needsPIDNamespace)
    func asPID1LeftoverInTheGroupGetsTERMAndFinishesItsCleanup() async throws {
        try await leftoverGetsTermAndCleansUp(mode: .pid1, detached: false)
    }

    @Test(.needsPIDNamespace)
    func asPID1DetachedOrphanGetsTERMAndFinishesItsCleanup() async throws {
        try await leftoverGetsTermAndCleansUp(mode: .pid1, detached: true)
    }

    private func leftoverGetsTermAndCleansUp(mode: InitMode, detached: Bool) async throws {
        let (result, directory) = try await runWithLeftover(
            "cleanup", detached: detached, exitCode: 3, mode: mode, grace: "30s")
        #expect(result.status == 3, "\(result)")
        #expect(directory.read("term") == "SIGTERM\n", "leftover got no SIGTERM")
        #expect(directory.read("done") == "cleaned up\n", "leftover's TERM handler did not finish")
        #expect(result.duration < .seconds(15), "pcinit must exit once the leftover is gone, not at the 30 s grace end")
        if mode == .subreaper, let pid = leftoverPID(directory) { #expect(ProcFS.isGone(pid)) }
    }

    @Test func notPID1LeftoverIgnoringTERMIsKilledAfterTheGracePeriod() async throws {
        try await leftoverIgnoringTermIsKilled(mode: .subreaper, detached: false)
    }

    @Test func notPID1DetachedOrphanIgnoringTERMIsKilledAfterTheGracePeriod() async throws {
        try await leftoverIgnoringTermIsKilled(mode: .subreaper, detached: true)
    }

    @Test(.needsPIDNamespace)
    func asPID1LeftoverIgnoringTERMIsKilledAfterTheGracePeriod() async throws {
        try await leftoverIgnoringTermIsKilled(mode: .pid1, detached: false)
    }

    private func leftoverIgnoringTermIsKilled(mode: InitMode, detached: Bool) async throws {
        let (result, directory) = try await runWithLeftover(
            "ignore", detached: detached, exitCode: 4, mode: mode, grace: "1s")
        #expect(result.status == 4, "\(result)")
        #expect(result.duration >= .seconds(1), "SIGKILL came before PCINIT_GRACE=1s: \(result.duration)")
        #expect(result.duration < .seconds(10), "\(result)")
        // The grace runs from pcinit's TERM (noted by the leftover a moment after it was sent) to the SIGKILL.
        let termAt = try #require(directory.read("ignored")?.split(separator: "\n").first.flatMap { Double($0) })
        let graceSeen = result.endedEpochSeconds - termAt
        #expect(graceSeen > 0.5, "pcinit ended \(graceSeen) s after its TERM: SIGKILL did not wait for the 1 s grace")
        let pid = try #require(leftoverPID(directory))
        if mode == .subreaper {
            #expect(ProcFS.isGone(pid), "leftover \(pid) still exists after pcinit exited")
        }
    }

    @Test func defaultGracePeriodIsFiveSeconds() async throws {
        let (result, directory) = try await runWithLeftover(
            "ignore", detached: false, exitCode: 5, mode: .subreaper, grace: nil)
        #expect(result.status == 5, "\(result)")
        #expect(result.duration >= .seconds(5), "\(result.duration)")
        #expect(result.duration < .seconds(12), "\(result.duration)")
        let pid = try #require(leftoverPID(directory))
        #expect(ProcFS.isGone(pid))
    }

    /// A stop signal while pcinit waits out the grace period for leftovers: kill them now, don't wait.
    @Test func termDuringTheGracePeriodKillsLeftoversAtOnce() async throws {
        let directory = try TemporaryDirectory()
        let script = #"""
            "$0" "$1" ignore "$2" &
            while [ ! -e "$2/pid" ]; do sleep 0.01; done
            exit 6
            """#
        let pcinit = try await RunningInit.start(
            ["sh", "-c", script, Paths.python3, Paths.fixture("leftover.py"), directory.path],
            environment: .clean.with(["PCINIT_GRACE": "30s"]))
        defer { pcinit.killTree() }
        let leftover = try #require(await Poll.value { directory.readPID("pid") })
        // The command has exited and the leftover outlived pcinit's SIGTERM (it notes each one it survives):
        // pcinit is in its grace period.
        let waiting = await Poll.until {
            directory.exists("ignored") && ProcFS.descendants(of: pcinit.pid) == [leftover]
        }
        try #require(waiting, "\(ProcFS.describeTree(of: pcinit.pid))")
        let signalled = pcinit.send(SIGTERM)
        let result = try await pcinit.wait(timeout: .seconds(40))
        let took = result.ended(after: signalled)
        #expect(took < .seconds(10), "pcinit ended \(took) after TERM: it waited for the 30 s grace period anyway")
        #expect(result.status == 6, "the command's code stays pcinit's exit code: \(result)")
        #expect(ProcFS.isGone(leftover))
    }
}
