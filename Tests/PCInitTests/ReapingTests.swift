import Foundation
import Glibc
import Testing

/// Every zombie is reaped, orphans included, as PID 1 and as a subreaper.
@Suite("Reaping", .timeLimit(.minutes(1)))
struct ReapingTests {
    @Test func notPID1ADoubleForkedOrphanIsReparentedToPCInitAndReaped() async throws {
        let directory = try TemporaryDirectory()
        let sleeper = uniqueSleepSeconds()
        // The orphan waits for the test's go-ahead, so the test sees it adopted before it exits.
        let script = #"""
            (sh -c 'while [ ! -e "$0/go" ]; do sleep 0.02; done' "$1" & echo $! > "$1/orphan")
            exec sleep "$2"
            """#
        let pcinit = try await RunningInit.start(["sh", "-c", script, "sh", directory.path, sleeper])
        defer { pcinit.killTree() }
        let orphan = try #require(await Poll.value { directory.readPID("orphan") })
        let adopted = await Poll.until(timeout: .seconds(5)) { ProcFS.stat(orphan)?.parent == pcinit.pid }
        #expect(adopted, "orphan \(orphan) has parent \(ProcFS.stat(orphan)?.parent ?? -1), pcinit is \(pcinit.pid)")
        // When it exits it must be reaped (gone from /proc), not left as a zombie, while the command still runs.
        try directory.write("go", "")
        let reaped = await Poll.until(timeout: .seconds(5)) { ProcFS.isGone(orphan) }
        #expect(reaped, "orphan state: \(ProcFS.state(orphan).map(String.init) ?? "gone")")
        #expect(pcinit.process.isRunning)
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }

    @Test func notPID1SubreaperIsMentionedOnlyAtDebugLevel() async throws {
        let debug = try await runPCInit(["true"], environment: .clean.with(["PCINIT_LOG_LEVEL": "debug"]))
        #expect(debug.status == 0)
        #expect(debug.stderr.contains("subreaper"), "\(debug)")
        let quiet = try await runPCInit(["true"])
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet)")
    }

    @Test func notPID1ABurstOfOrphansLeavesNoZombieChild() async throws {
        let sleeper = uniqueSleepSeconds()
        let script = #"i=0; while [ $i -lt 300 ]; do (true &); i=$((i+1)); done; exec sleep "$0""#
        let pcinit = try await RunningInit.start(["sh", "-c", script, sleeper])
        defer { pcinit.killTree() }
        // Eventually pcinit's only descendant is the command, now `sleep`: every orphan was reaped.
        let clean = await Poll.until(timeout: .seconds(10)) {
            let below = ProcFS.descendants(of: pcinit.pid)
            return below.count == 1 && ProcFS.commandLine(below[0])?.last == sleeper
        }
        #expect(clean, "left under pcinit:\n\(ProcFS.describeTree(of: pcinit.pid))")
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }

    /// Regression check for catatonit #4/#5: the command's exit must not be missed among many SIGCHLDs.
    @Test func commandExitIsNotLostAmongManyOrphanExits() async throws {
        let script = #"i=0; while [ $i -lt 300 ]; do (true &); i=$((i+1)); done; exit 3"#
        let result = try await runPCInit(["sh", "-c", script], timeout: .seconds(20))
        #expect(result.status == 3, "\(result)")
        #expect(result.duration < .seconds(10))
    }

    @Test(.needsPIDNamespace)
    func asPID1TenThousandOrphansLeaveNoZombie() async throws {
        let result = try await runPCInit(
            ["sh", Paths.fixture("orphan_burst.sh"), "10000"], mode: .pid1, timeout: .seconds(50))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.contains("spawned=10000"), "\(result)")
        #expect(result.stdoutLines.contains("zombies=0"), "\(result)")
        #expect(result.stdoutLines.contains("others=0"), "\(result)")
    }

    /// dumb-init's test-zombies, as PID 1.
    @Test(.needsPIDNamespace)
    func asPID1AnOrphanedGrandchildIsReaped() async throws {
        let script = #"sh -c "sleep 0 &"; sleep 0.5; for f in /proc/[0-9]*/stat; do cat "$f"; done 2>/dev/null"#
        let result = try await runPCInit(["sh", "-c", script], mode: .pid1)
        #expect(result.status == 0, "\(result)")
        let states = result.stdoutLines.compactMap { line in
            line.range(of: ") ").map { line[$0.upperBound...].first }
        }
        #expect(states.count >= 2, "\(result)")
        #expect(!states.contains("Z"), "\(result)")
    }
}
