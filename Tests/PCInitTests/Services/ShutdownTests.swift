import Foundation
import Glibc
import Testing

/// The run's stop: reverse dependency order one level at a time, per-service timeouts, shutdown commands,
/// `parent_only`, unordered stop, second-signal escalation, the global stop budget, orphan cleanup.
@Suite("Services: stopping", .timeLimit(.minutes(1)))
struct ShutdownTests {
    /// A service that, on SIGTERM, stamps `{dir}/NAME.term`, takes `seconds` to clean up, stamps
    /// `{dir}/NAME.exit` and exits 0. It touches `{dir}/NAME.trapped` once the trap is installed.
    private static func graceful(_ name: String, seconds: Double = 0.3) -> String {
        "trap \"date +%s.%N > {dir}/\(name).term; sleep \(seconds); date +%s.%N > {dir}/\(name).exit; exit 0\" TERM; "
            + "\(Snippet.trapped(name)); while :; do sleep 1 & wait $!; done"
    }

    /// The markers of services that have installed their traps.
    private static func trapped(_ names: String...) -> [String] { names.map { "\($0).trapped" } }

    /// Ignores SIGTERM (and so do its sleeps: ignored signals are inherited).
    private static let deaf = #"trap "" TERM; touch {dir}/deaf.up; while :; do sleep 1 & wait $!; done"#

    private func now() -> Double { Date().timeIntervalSince1970 }

    @Test(.needsPIDNamespace)
    func servicesStopInReverseDependencyOrderOneLevelAtATime() async throws {
        let project = try ServiceProject(
            "order",
            """
            processes:
              base:
                command: '\(Self.graceful("base"))'
              mid:
                command: '\(Self.graceful("mid"))'
                depends_on:
                  base: {condition: process_started}
              top:
                command: '\(Self.graceful("top"))'
                depends_on:
                  mid: {condition: process_started}
              deaf:
                command: '\(Self.deaf)'
                depends_on:
                  mid: {condition: process_started}
                shutdown: {timeout_seconds: 1}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFiles(Self.trapped("base", "mid", "top") + ["deaf.up"]), "\(run.transcript)")
        let stopAt = now()
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
        let t = { (name: String) in project.timestamp(name) ?? .infinity }
        // The top level gets TERM at once, both of its services together.
        #expect(t("top.term") - stopAt < 0.8, "top got TERM \(t("top.term") - stopAt) s after the stop")
        // deaf ignores it and is killed at its own timeout, 1 s; top finished long before.
        #expect(t("top.exit") - stopAt < 1.0, "\(result)")
        #expect(result.stderr.contains("pcinit | deaf killed after 1s"), "\(result)")
        // mid only once the whole top level is down (deaf's kill at ~1 s), base only once mid exited.
        #expect(t("mid.term") >= t("top.exit"), "\(result)")
        #expect(t("mid.term") - stopAt >= 0.9, "mid got TERM before deaf was killed:\n\(result)")
        #expect(t("base.term") >= t("mid.exit"), "base got TERM before mid exited:\n\(result)")
        #expect(t("base.exit") - stopAt < 4, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("stopping all services: SIGTERM received"), "\(result)")
        for name in ["top", "mid", "base"] { #expect(log.contains("\(name) stopped (exited 0)"), "\(result)") }
        #expect(log.contains("deaf stopped (killed by SIGKILL)"), "\(result)")
    }

    @Test(.needsPIDNamespace)
    func unorderedShutdownStopsEverythingAtOnce() async throws {
        let project = try ServiceProject(
            "unordered",
            """
            ordered_shutdown: false
            processes:
              base:
                command: '\(Self.graceful("base", seconds: 0.6))'
              mid:
                command: '\(Self.graceful("mid", seconds: 0.6))'
                depends_on:
                  base: {condition: process_started}
              top:
                command: '\(Self.graceful("top", seconds: 0.6))'
                depends_on:
                  mid: {condition: process_started}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFiles(Self.trapped("base", "mid", "top")), "\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
        let terms = ["base", "mid", "top"].map { project.timestamp("\($0).term") ?? .infinity }
        #expect(terms.max()! - terms.min()! < 0.4, "TERM times spread: \(terms)\n\(result)")
        let exits = ["base", "mid", "top"].map { project.timestamp("\($0).exit") ?? .infinity }
        #expect(terms.max()! < exits.min()!, "someone waited for another to exit:\n\(result)")
    }

    @Test(.needsPIDNamespace)
    func shutdownCommandAndSignalReplaceSIGTERM() async throws {
        let project = try ServiceProject(
            "shutdowncmd",
            """
            processes:
              commanded:
                command: 'trap "touch {dir}/commanded.term" TERM; \(Snippet.trapped("commanded")); while [ ! -e {dir}/please-stop ]; do sleep 0.05; done; echo "$$CUSTOM" > {dir}/commanded.exit'
                environment: [CUSTOM=from-env]
                shutdown:
                  command: 'echo "$$CUSTOM" > {dir}/shutdown-command.env; touch {dir}/please-stop'
                  timeout_seconds: 5
              usr1:
                command: 'trap "touch {dir}/usr1.got; exit 0" USR1; trap "touch {dir}/usr1.term" TERM; \(Snippet.trapped("usr1")); while :; do sleep 0.1; done'
                shutdown: {signal: SIGUSR1, timeout_seconds: 5}
              failing:
                command: '\(Self.deaf.replacingOccurrences(of: "deaf.up", with: "failing.up"))'
                shutdown:
                  command: 'exit 3'
                  timeout_seconds: 30
            """)
        let run = try await ServiceRun.start(project, mode: .pid1, environment: ["PCINIT_STOP_TIMEOUT": "40s"])
        defer { run.stop() }
        #expect(await run.waitForFiles(Self.trapped("commanded", "usr1") + ["failing.up"]), "\(run.transcript)")
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(45))
        #expect(result.status == 0, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("commanded stopping (shutdown command)"), "\(result)")
        #expect(project.read("shutdown-command.env") == "from-env\n", "the command runs with the service's env")
        #expect(project.read("commanded.exit") == "from-env\n", "the service ended on its own after the command")
        #expect(!project.exists("commanded.term"), "a service with a shutdown command must not get SIGTERM")
        #expect(log.contains("usr1 stopping (SIGUSR1)"), "\(result)")
        #expect(project.exists("usr1.got") && !project.exists("usr1.term"), "\(result)")
        // A failed shutdown command: SIGKILL at once, not at the 30 s timeout.
        #expect(log.contains("failing shutdown command failed, killing"), "\(result)")
        // Measured from the stop signal; not killing at once would take the 30 s timeout.
        let took = result.ended(after: stop)
        #expect(took < .seconds(15), "stopped \(took) after TERM; the timeout was 30 s and the budget 40 s: \(result)")
    }

    @Test(.needsPIDNamespace)
    func parentOnlySignalsThePIDAloneNotItsGroup() async throws {
        func service(_ name: String, parentOnly: Bool) -> String {
            """
              \(name):
                command: |
                  (trap 'date +%s.%N > {dir}/\(name)-child.term; exit 0' TERM; touch {dir}/\(name)-child.trapped; while :; do sleep 0.1; done) &
                  trap 'date +%s.%N > {dir}/\(name).term; sleep 0.5; date +%s.%N > {dir}/\(name).exit; exit 0' TERM
                  touch {dir}/\(name).up
                  while :; do sleep 1 & wait $!; done
                shutdown: {parent_only: \(parentOnly)}
            """
        }
        let project = try ServiceProject(
            "parentonly",
            "x-pcinit: {grace: 5s}\nprocesses:\n" + service("alone", parentOnly: true) + "\n"
                + service("group", parentOnly: false))
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(
            await run.waitForFiles(["alone.up", "group.up"] + Self.trapped("alone-child", "group-child")),
            "\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
        let t = { (name: String) in project.timestamp(name) ?? .infinity }
        // Group: the child gets TERM with its parent.
        #expect(t("group-child.term") < t("group.exit"), "\(result)")
        // parent_only: the child is not signalled with the parent; it gets TERM only in the final cleanup of
        // processes that belong to no service, after its parent exited.
        #expect(t("alone.term") < .infinity, "\(result)")
        #expect(t("alone-child.term") >= t("alone.exit"), "the child got TERM with its parent:\n\(result)")
    }

    @Test(.needsPIDNamespace)
    func aSecondSIGTERMKillsEverythingAtOnce() async throws {
        let project = try ServiceProject(
            "escalate",
            """
            processes:
              slow:
                command: '\(Self.graceful("slow", seconds: 20))'
                shutdown: {timeout_seconds: 20}
              deaf:
                command: '\(Self.deaf)'
                shutdown: {timeout_seconds: 20}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1, environment: ["PCINIT_STOP_TIMEOUT": "30s"])
        defer { run.stop() }
        #expect(await run.waitForFiles(Self.trapped("slow") + ["deaf.up"]), "\(run.transcript)")
        run.send(SIGTERM)
        #expect(await run.waitForFile("slow.term"), "\(run.transcript)")
        // Not a race: the graceful stop is under way (slow's cleanup takes 20 s, deaf ignores TERM) and must
        // stay so, with pcinit running, until the second TERM.
        try await Task.sleep(for: .milliseconds(300))
        #expect(run.pcinit.process.isRunning)
        let second = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        let took = result.ended(after: second)
        #expect(took < .seconds(10), "pcinit took \(took) after the second TERM; slow and deaf had 20 s each")
        #expect(result.status == 0, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains { $0.hasPrefix("second stop signal (SIGTERM), killing") }, "\(result)")
        #expect(!project.exists("slow.exit"), "slow's cleanup cannot have finished")
    }

    @Test(.needsPIDNamespace)
    func theGlobalStopBudgetKillsWhatIsLeft() async throws {
        let project = try ServiceProject(
            "budget",
            """
            processes:
              deaf:
                command: '\(Self.deaf)'
                shutdown: {timeout_seconds: 30}
              fine:
                command: '\(Snippet.idle(marking: "fine"))'
            """)
        let run = try await ServiceRun.start(project, mode: .pid1, environment: ["PCINIT_STOP_TIMEOUT": "1s"])
        defer { run.stop() }
        #expect(await run.waitForFiles(["deaf.up"] + Self.trapped("fine")), "\(run.transcript)")
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        // The 1 s budget, not deaf's 30 s timeout.
        let took = result.ended(after: stop)
        #expect(took >= .milliseconds(900) && took < .seconds(10), "stop took \(took)\n\(result)")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("pcinit | stop timeout 1s reached, killing deaf"), "\(result)")
    }

    /// A service double-forks an orphan (its own session) that ignores TERM: after the services stopped it
    /// gets TERM, then KILL after PCINIT_GRACE, and pcinit exits only once it is gone.
    @Test(arguments: [InitMode.subreaper, .pid1])
    func anOrphanIgnoringTERMIsKilledAfterTheGracePeriod(_ mode: InitMode) async throws {
        if mode == .pid1, await !PIDNamespace.isAvailable() { return }
        let project = try ServiceProject(
            "orphan",
            """
            processes:
              forker:
                command: |
                  (setsid sh -c 'trap "" TERM; echo $$$$ > {dir}/orphan.pid; while :; do sleep 0.1; done' {marker} &)
                  \(Snippet.idle(marking: "forker"))
            """)
        let run = try await ServiceRun.start(project, mode: mode, environment: ["PCINIT_GRACE": "1s"])
        defer { run.stop() }
        #expect(await run.waitForLines("orphan.pid", count: 1), "\(run.transcript)")
        #expect(await run.waitForFile("forker.trapped"), "\(run.transcript)")
        let orphan = try #require(pid_t(project.lines("orphan.pid")[0]))
        let hostOrphan = try #require(run.hostPID(orphan))
        #expect(ProcFS.stat(hostOrphan)?.parent == run.pcinit.pid, "the orphan was reparented to pcinit")
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        // The grace period starts once the services are down, which is after the TERM.
        let took = result.ended(after: stop)
        #expect(result.status == 0, "\(result)")
        #expect(took >= .milliseconds(950), "pcinit exited \(took) after TERM: before the 1 s grace ended")
        #expect(took < .seconds(10), "\(took)\n\(result)")
        #expect(result.stderr.contains("pcinit | forker stopped"), "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("services are down; stopping processes that belong to no service"), "\(result)")
        #expect(log.contains("processes still running after the grace period: SIGKILL"), "\(result)")
        #expect(ProcFS.isGone(hostOrphan), "orphan \(hostOrphan) survived pcinit")
        #expect(ProcFS.pids(commandLineContaining: project.marker).isEmpty, "a process of this test survived")
    }

    @Test func anOrphanThatHandlesTERMEndsTheRunAsSoonAsItIsGone() async throws {
        let project = try ServiceProject(
            "orphanterm",
            """
            processes:
              forker:
                command: |
                  (setsid sh -c 'trap "exit 0" TERM; echo $$$$ > {dir}/orphan.pid; while :; do sleep 0.1; done' {marker} &)
                  \(Snippet.idle(marking: "forker"))
            """)
        let run = try await ServiceRun.start(project, environment: ["PCINIT_GRACE": "30s"])
        defer { run.stop() }
        #expect(await run.waitForLines("orphan.pid", count: 1), "\(run.transcript)")
        #expect(await run.waitForFile("forker.trapped"), "\(run.transcript)")
        let orphan = try #require(pid_t(project.lines("orphan.pid")[0]))
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(40))
        #expect(result.status == 0, "\(result)")
        let took = result.ended(after: stop)
        #expect(took < .seconds(15), "pcinit ended \(took) after TERM: it waited for the 30 s grace period\n\(result)")
        #expect(ProcFS.isGone(orphan))
    }

    @Test(.needsPIDNamespace)
    func otherSignalsAreForwardedToEveryService() async throws {
        let project = try ServiceProject(
            "forward",
            """
            processes:
              one:
                command: 'trap "touch {dir}/one.hup" HUP; trap "touch {dir}/one.usr2" USR2; touch {dir}/one.up; \(Snippet.idle)'
              two:
                command: 'trap "touch {dir}/two.hup" HUP; touch {dir}/two.up; \(Snippet.idle)'
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFile("one.up"))
        #expect(await run.waitForFile("two.up"))
        run.send(SIGHUP)
        #expect(await run.waitForFile("one.hup"), "\(run.transcript)")
        #expect(await run.waitForFile("two.hup"), "\(run.transcript)")
        run.send(SIGUSR2)
        #expect(await run.waitForFile("one.usr2"), "\(run.transcript)")
        // two has no USR2 trap: the forwarded signal kills it, and its (default) policy does not restart it.
        #expect(await run.waitForMessage("two killed by SIGUSR2") != nil, "\(run.transcript)")
        #expect(run.pcinit.process.isRunning, "a forwarded signal must not stop the run")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test(.needsPIDNamespace)
    func aStopDuringBackoffOrWhileWaitingForDependenciesCancelsAtOnce() async throws {
        let project = try ServiceProject(
            "cancel",
            """
            processes:
              flaky:
                command: 'exit 1'
                availability: {restart: on_failure, backoff_seconds: 30}
              gate:
                command: '\(Snippet.idle)'
              waiting:
                command: 'touch {dir}/waiting.ran'
                depends_on:
                  gate: {condition: process_completed}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("flaky exited 1, restarting in 30s") != nil, "\(run.transcript)")
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(40))
        // Far below the 30 s backoff even on a loaded machine: the stop did not wait for it.
        #expect(result.ended(after: stop) < .seconds(10), "\(result)")
        #expect(result.status == 0, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("flaky cancelled") && log.contains("waiting cancelled"), "\(result)")
        #expect(!project.exists("waiting.ran"))
        #expect(run.startedPIDs("flaky").count == 1, "\(result)")
    }

    /// PCINIT_GRACE is bounded by the stop budget: an orphan ignoring TERM is killed when the budget ends.
    @Test func theStopBudgetBoundsTheOrphanGracePeriod() async throws {
        let project = try ServiceProject(
            "graceBudget",
            """
            processes:
              forker:
                command: |
                  (setsid sh -c 'trap "" TERM; echo $$$$ > {dir}/orphan.pid; while :; do sleep 0.1; done' {marker} &)
                  \(Snippet.idle(marking: "forker"))
            """)
        let run = try await ServiceRun.start(
            project, environment: ["PCINIT_GRACE": "20s", "PCINIT_STOP_TIMEOUT": "1s"])
        defer { run.stop() }
        #expect(await run.waitForLines("orphan.pid", count: 1), "\(run.transcript)")
        #expect(await run.waitForFile("forker.trapped"), "\(run.transcript)")
        let orphan = try #require(pid_t(project.lines("orphan.pid")[0]))
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(30))
        // The 1 s budget, not the 20 s grace.
        let took = result.ended(after: stop)
        #expect(result.status == 0, "\(result)")
        #expect(took >= .milliseconds(900) && took < .seconds(10), "took \(took)\n\(result)")
        #expect(ProcFS.isGone(orphan))
    }

    /// A second TERM while pcinit waits out the orphans' grace period kills them at once.
    @Test func aSecondSIGTERMDuringTheOrphanGracePeriodKillsThemAtOnce() async throws {
        let project = try ServiceProject(
            "graceEscalate",
            """
            processes:
              forker:
                command: |
                  (setsid sh -c 'trap "" TERM; echo $$$$ > {dir}/orphan.pid; while :; do sleep 0.1; done' {marker} &)
                  \(Snippet.idle(marking: "forker"))
            """)
        let run = try await ServiceRun.start(
            project, environment: ["PCINIT_GRACE": "20s", "PCINIT_STOP_TIMEOUT": "30s"])
        defer { run.stop() }
        #expect(await run.waitForLines("orphan.pid", count: 1), "\(run.transcript)")
        #expect(await run.waitForFile("forker.trapped"), "\(run.transcript)")
        let orphan = try #require(pid_t(project.lines("orphan.pid")[0]))
        run.send(SIGTERM)
        #expect(await run.waitForMessage("stopping processes that belong to no service") != nil, "\(run.transcript)")
        // Not a race: the orphan ignores TERM (its trap came before its pid file), so pcinit waits out the
        // 20 s grace period and must still be running a moment later.
        try await Task.sleep(for: .milliseconds(200))
        #expect(run.pcinit.process.isRunning, "pcinit must wait for the orphan")
        let second = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.ended(after: second) < .seconds(10), "the grace period was 20 s: \(result)")
        #expect(result.status == 0, "\(result)")
        #expect(ProcFS.isGone(orphan))
    }
}
