import CInit
import Foundation
import Glibc
import Testing

/// Signals sent to pcinit go to the command's whole process group.
@Suite("Signal forwarding", .timeLimit(.minutes(1)))
struct SignalTests {
    /// Every catchable signal except CHLD (pcinit's own), TSTP (tested separately: it stops the group)
    /// and TTIN/TTOU (never forwarded) — including the synchronous ones sent with kill, and every
    /// real-time signal.
    static let forwarded: [Int32] =
        (1...31).filter { ![SIGKILL, SIGSTOP, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU].contains($0) }
        + Array(Int32(pci_sigrtmin())...Int32(pci_sigrtmax()))

    @Test func notPID1EveryCatchableSignalReachesChildAndGrandchild() async throws {
        try await everyCatchableSignalReachesTheGroup(mode: .subreaper)
    }

    @Test(.needsPIDNamespace)
    func asPID1EveryCatchableSignalReachesChildAndGrandchild() async throws {
        try await everyCatchableSignalReachesTheGroup(mode: .pid1)
    }

    private func everyCatchableSignalReachesTheGroup(mode: InitMode) async throws {
        let recorder = try await SignalRecorder.start(mode: mode)
        defer { recorder.pcinit.killTree() }
        var missing: [String] = []
        for signal in Self.forwarded {
            recorder.pcinit.send(signal)
            let seen = await Poll.until(timeout: .seconds(3)) { recorder.bothReceived(signal) }
            if !seen { missing.append("\(signal) (child \(recorder.received("child").contains(signal)))") }
            if !recorder.pcinit.process.isRunning {
                Issue.record("pcinit ended after signal \(signal): \(recorder.pcinit.process.stderr)")
                break
            }
        }
        #expect(missing.isEmpty, "not received by both child and grandchild: \(missing)")
        // Each arrived exactly once: nothing duplicated, nothing extra.
        for role in ["child", "grandchild"] {
            #expect(recorder.log(role).sorted() == Self.forwarded.sorted(), "\(role) got \(recorder.log(role))")
        }
        let result = try await recorder.stop()
        #expect(result.status == 0, "\(result)")
    }

    @Test func notPID1TTINAndTTOUAreNotForwarded() async throws {
        try await ttinAndTtouAreNotForwarded(mode: .subreaper)
    }

    @Test(.needsPIDNamespace)
    func asPID1TTINAndTTOUAreNotForwarded() async throws {
        try await ttinAndTtouAreNotForwarded(mode: .pid1)
    }

    private func ttinAndTtouAreNotForwarded(mode: InitMode) async throws {
        let recorder = try await SignalRecorder.start(mode: mode)
        defer { recorder.pcinit.killTree() }
        recorder.pcinit.send(SIGTTIN)
        recorder.pcinit.send(SIGTTOU)
        // A later signal as a marker: had TTIN/TTOU been forwarded, they would have arrived before it.
        let marker = Int32(pci_sigrtmin())
        recorder.pcinit.send(marker)
        #expect(await Poll.until(timeout: .seconds(5)) { recorder.bothReceived(marker) })
        // Not a race: a wrongly forwarded TTIN/TTOU would have been logged before the marker; this only gives
        // a stray late signal a moment to show up.
        try await Task.sleep(for: .milliseconds(100))
        for role in ["child", "grandchild"] {
            #expect(recorder.log(role) == [marker], "\(role) got \(recorder.log(role))")
        }
        #expect(ProcFS.state(recorder.pcinit.pid) != "T", "pcinit itself must not stop")
        let result = try await recorder.stop()
        #expect(result.status == 0, "\(result)")
    }

    @Test func notPID1TSTPStopsTheCommandAndCONTResumesIt() async throws {
        try await tstpStopsAndContResumes(mode: .subreaper)
    }

    @Test(.needsPIDNamespace)
    func asPID1TSTPStopsTheCommandAndCONTResumesIt() async throws {
        try await tstpStopsAndContResumes(mode: .pid1)
    }

    private func tstpStopsAndContResumes(mode: InitMode) async throws {
        let sleeper = uniqueSleepSeconds()
        let pcinit = try await RunningInit.start(["sh", "-c", #"sleep "$0" & wait"#, sleeper], mode: mode)
        defer { pcinit.killTree() }
        let group = try #require(
            await Poll.value { () -> [pid_t]? in
                let below = ProcFS.descendants(of: pcinit.pid)
                return below.count == 2 ? below : nil
            })
        pcinit.send(SIGTSTP)
        let stopped = await Poll.until(timeout: .seconds(5)) { group.allSatisfy { ProcFS.state($0) == "T" } }
        #expect(stopped, "after TSTP:\n\(ProcFS.describeTree(of: pcinit.pid))")
        #expect(ProcFS.state(pcinit.pid) != "T", "pcinit itself must keep running")
        pcinit.send(SIGCONT)
        let resumed = await Poll.until(timeout: .seconds(5)) { group.allSatisfy { ProcFS.state($0) != "T" } }
        #expect(resumed, "after CONT:\n\(ProcFS.describeTree(of: pcinit.pid))")
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }

    @Test func notPID1TERMEndsEveryProcessOfTheGroup() async throws {
        try await termEndsTheWholeGroup(mode: .subreaper)
    }

    @Test(.needsPIDNamespace)
    func asPID1TERMEndsEveryProcessOfTheGroup() async throws {
        try await termEndsTheWholeGroup(mode: .pid1)
    }

    /// tini's "-g" case, dumb-init's child_processes test: `sh -c 'sleep & sleep & wait'`, TERM to the
    /// init, nothing survives.
    private func termEndsTheWholeGroup(mode: InitMode) async throws {
        let sleeper = uniqueSleepSeconds()
        defer { ProcFS.killAll(commandLineContaining: sleeper) }
        let pcinit = try await RunningInit.start(
            ["sh", "-c", #"sleep "$0" & sleep "$0" & wait"#, sleeper], mode: mode,
            environment: .clean.with(["PCINIT_GRACE": "20s"]))
        defer { pcinit.killTree() }
        let started = await Poll.until {  // sh and its two sleeps
            ProcFS.descendants(of: pcinit.pid).filter { ProcFS.commandLine($0)?.last == sleeper }.count == 3
        }
        try #require(started, "\(ProcFS.describeTree(of: pcinit.pid))")
        let stop = pcinit.send(SIGTERM)
        let result = try await pcinit.wait(timeout: .seconds(30))
        #expect(result.status == 143, "\(result)")
        let took = result.ended(after: stop)
        #expect(took < .seconds(10), "ended \(took) after TERM: the group died of TERM, no 20 s grace was needed")
        #expect(ProcFS.pids(commandLineContaining: sleeper).isEmpty, "survivors")
    }

    /// The command dies of the forwarded signal, and pcinit reports it as 128+N.
    @Test(
        arguments: [
            (SIGTERM, 143), (SIGINT, 130), (SIGHUP, 129), (SIGUSR1, 138), (SIGALRM, 142), (SIGQUIT, 131),
        ] as [(Int32, Int32)])
    func signalToPCInitEndsTheCommandWith128PlusN(signal: Int32, expected: Int32) async throws {
        let sleeper = uniqueSleepSeconds()
        let pcinit = try await RunningInit.start(["sleep", sleeper])
        defer { pcinit.killTree() }
        pcinit.send(signal)
        let result = try await pcinit.wait(timeout: .seconds(10))
        #expect(result.status == expected, "\(result)")
    }
}

/// pcinit running Fixtures/signal_recorder.py: a child and a grandchild (same process group) that log
/// every signal they get.
struct SignalRecorder {
    let pcinit: RunningInit
    let directory: TemporaryDirectory

    static func start(mode: InitMode) async throws -> SignalRecorder {
        let directory = try TemporaryDirectory()
        let pcinit = try await RunningInit.start(
            [Paths.python3, Paths.fixture("signal_recorder.py"), directory.path], mode: mode)
        let recorder = SignalRecorder(pcinit: pcinit, directory: directory)
        let ready = await Poll.until { directory.exists("child.ready") && directory.exists("grandchild.ready") }
        if !ready {
            pcinit.killTree()
            throw SubprocessError(description: "signal_recorder.py not ready: \(pcinit.process.stderr)")
        }
        return recorder
    }

    /// Signals `role` (child, grandchild) received, in order.
    func log(_ role: String) -> [Int32] {
        (directory.read("\(role).log") ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    func received(_ role: String) -> Set<Int32> { Set(log(role)) }

    func bothReceived(_ signal: Int32) -> Bool {
        received("child").contains(signal) && received("grandchild").contains(signal)
    }

    /// Lets both processes exit 0; returns pcinit's result.
    func stop() async throws -> RunResult {
        try directory.write("stop", "")
        return try await pcinit.wait(timeout: .seconds(10))
    }
}
