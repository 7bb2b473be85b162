import Testing

@testable import InitCore

@Suite struct SupervisorRestartTests {
    func worker(_ restart: RestartPolicy, maxRestarts: Int = 0, _ configure: (inout ServiceConfig) -> Void = { _ in })
        -> ServiceConfig
    {
        service("worker") {
            $0.availability = Availability(
                restart: restart, backoff: .seconds(1), maxBackoff: .seconds(4), maxRestarts: maxRestarts)
            configure(&$0)
        }
    }

    @Test func alwaysRestartsASuccessfulExitAfterTheBackoff() {
        var h = Harness([worker(.always)])
        h.send(.begin)
        h.spawned("worker", at: 0)
        #expect(h.exited("worker", .exited(0), at: 1) == [.log("worker exited 0, restarting in 1s")])
        #expect(h.state("worker") == .restarting)
        #expect(h.supervisor.nextDeadline == at(2))
        #expect(h.tick(at: 1.9) == [])
        #expect(h.tick(at: 2) == [.spawn(0)])
        #expect(h.spawned("worker", pid: 200, at: 2) == [.log("worker started (pid 200)")])
        #expect(h.status("worker").restarts == 1)
        #expect(h.status("worker").pid == 200)
        #expect(h.status("worker").startedAt == at(2))
        #expect(h.status("worker").lastExit == .exited(0))
    }

    @Test func onFailureRestartsFailuresOnly() {
        var failing = Harness([worker(.onFailure)])
        failing.send(.begin)
        failing.spawned("worker")
        #expect(failing.exited("worker", .signaled(11)) == [.log("worker killed by SIGSEGV, restarting in 1s")])

        var succeeding = Harness([worker(.onFailure)])
        succeeding.send(.begin)
        succeeding.spawned("worker")
        #expect(
            succeeding.exited("worker", .exited(0)) == [
                .log("worker exited 0"), .log("all services finished"), .exit(code: 0),
            ])
        #expect(succeeding.state("worker") == .completed)
    }

    @Test func noNeverRestarts() {
        var h = Harness([worker(.no)])
        h.send(.begin)
        h.spawned("worker")
        #expect(
            h.exited("worker", .exited(1)) == [.log("worker exited 1"), .log("all services finished"), .exit(code: 1)])
        #expect(h.state("worker") == .failed)
        #expect(h.status("worker").exitCode == 1)
        #expect(h.status("worker").lastExit == .exited(1))
    }

    @Test func successExitCodesCountAsSuccess() {
        var h = Harness([worker(.onFailure) { $0.successExitCodes = [3] }])
        h.send(.begin)
        h.spawned("worker")
        #expect(
            h.exited("worker", .exited(3)) == [.log("worker exited 3"), .log("all services finished"), .exit(code: 0)])
        #expect(h.state("worker") == .completed)
    }

    @Test func maxRestartsStopsRestartingAndFailsTheService() {
        var h = Harness([worker(.onFailure, maxRestarts: 2), service("web")])
        h.beginAndSpawnAll()
        #expect(h.exited("worker", .exited(1), at: 0) == [.log("worker exited 1, restarting in 1s")])
        #expect(h.tick(at: 1) == [.spawn(0)])
        h.spawned("worker", at: 1)
        #expect(h.exited("worker", .exited(1), at: 1) == [.log("worker exited 1, restarting in 2s")])
        #expect(h.tick(at: 3) == [.spawn(0)])
        h.spawned("worker", at: 3)
        #expect(h.exited("worker", .exited(1), at: 3) == [.log("worker exited 1, giving up after 2 restarts")])
        #expect(h.state("worker") == .failed)
        #expect(h.status("worker").restarts == 2)
        #expect(h.state("web") == .running)
    }

    @Test func backoffDoublesUpToTheCap() {
        var h = Harness([worker(.always)])
        h.send(.begin)
        var now = 0.0
        var delays: [Double] = []
        for _ in 0..<5 {
            h.spawned("worker", at: now)
            h.exited("worker", .exited(1), at: now + 0.5)
            let restartAt = h.supervisor.nextDeadline!
            delays.append(Double((restartAt - at(now + 0.5)).nanosecondsClamped) / 1e9)
            now = Double(restartAt.nanoseconds) / 1e9
            #expect(h.tick(at: now) == [.spawn(0)])
        }
        #expect(delays == [1, 2, 4, 4, 4])
    }

    @Test func backoffResetsAfterTenSecondsOfRunning() {
        var h = Harness([worker(.always)])
        h.send(.begin)
        h.spawned("worker", at: 0)
        h.exited("worker", .exited(1), at: 0)
        h.tick(at: 1)
        h.spawned("worker", at: 1)
        #expect(h.exited("worker", .exited(1), at: 1) == [.log("worker exited 1, restarting in 2s")])
        h.tick(at: 3)
        h.spawned("worker", at: 3)
        #expect(h.exited("worker", .exited(1), at: 13) == [.log("worker exited 1, restarting in 1s")])
        h.tick(at: 14)
        h.spawned("worker", at: 14)
        #expect(h.exited("worker", .exited(1), at: 14) == [.log("worker exited 1, restarting in 2s")])
    }

    @Test func exitOnFailureEndsTheRunWithTheServiceCode() {
        var h = Harness([worker(.exitOnFailure), service("web")])
        h.beginAndSpawnAll()
        #expect(
            h.exited("worker", .exited(42)) == [
                .log("worker exited 42"), .log("stopping all services: worker failed (exit_on_failure)"),
                .log("web stopping (SIGTERM)"), .signal(pid: 101, signal: 15, toGroup: true),
                .signal(pid: 101, signal: 18, toGroup: true),
            ])
        #expect(h.exited("web", .exited(0)) == [.log("web stopped (exited 0)"), .exit(code: 42)])
    }

    @Test func exitOnFailureLetsASuccessFinishQuietly() {
        var h = Harness([worker(.exitOnFailure), service("web")])
        h.beginAndSpawnAll()
        #expect(h.exited("worker", .exited(0)) == [.log("worker exited 0")])
        #expect(h.state("web") == .running)
        #expect(!h.supervisor.isStopping)
    }

    @Test func exitOnFailureWithMaxRestartsRestartsThenEndsTheRunWithOne() {
        var h = Harness([worker(.exitOnFailure, maxRestarts: 1), service("web")])
        h.beginAndSpawnAll()
        #expect(h.exited("worker", .exited(3), at: 0) == [.log("worker exited 3, restarting in 1s")])
        h.tick(at: 1)
        h.spawned("worker", at: 1)
        #expect(
            h.exited("worker", .exited(3), at: 2) == [
                .log("worker exited 3, giving up after 1 restart"),
                .log("stopping all services: worker used up its restarts (exit_on_failure)"),
                .log("web stopping (SIGTERM)"), .signal(pid: 101, signal: 15, toGroup: true),
                .signal(pid: 101, signal: 18, toGroup: true),
            ])
        #expect(h.exited("web", .signaled(15), at: 2.1) == [.log("web stopped (killed by SIGTERM)"), .exit(code: 1)])
    }

    @Test func spawnFailureIsNotRestarted() {
        var h = Harness([worker(.always), service("web")])
        h.beginAndSpawnAll()
        h.send(.restartService("worker"))
        #expect(h.exited("worker", .exited(0)) == [.log("worker exited 0, restarting now"), .spawn(0)])
        #expect(
            h.send(.spawnFailed(0, reason: "no such directory: /srv", exitCode: 127)) == [
                .log("worker failed to start: no such directory: /srv")
            ])
        #expect(h.state("worker") == .failed)
        #expect(h.supervisor.nextDeadline == nil)
    }

    @Test func daemonLauncherExitingSuccessfullyLeavesTheServiceLaunched() {
        var h = Harness([
            service("redis") {
                $0.isDaemon = true
                $0.availability.restart = .onFailure
            }
        ])
        h.send(.begin)
        #expect(h.spawned("redis") == [.log("redis started (pid 100)")])
        #expect(h.state("redis") == .launching)
        #expect(!h.supervisor.isReady)
        #expect(h.exited("redis", .exited(0)) == [.log("redis launched (daemon)")])
        #expect(h.state("redis") == .launched)
        #expect(h.status("redis").pid == nil)
        #expect(h.supervisor.isReady)
    }

    @Test func daemonLivenessFailureRunsItsShutdownCommandThenRestarts() {
        var h = Harness([
            service("redis") {
                $0.isDaemon = true
                $0.livenessProbe = probe(period: 5, failure: 1)
                $0.shutdown.command = "redis-cli shutdown"
                $0.availability = Availability(restart: .onFailure, backoff: .seconds(2))
            }
        ])
        h.send(.begin)
        #expect(h.spawned("redis", at: 0) == [.log("redis started (pid 100)"), .runProbe(0, .liveness)])
        #expect(h.exited("redis", .exited(0), at: 0.5) == [.log("redis launched (daemon)")])
        #expect(h.send(.probeFinished(0, .liveness, success: true, detail: ""), at: 1) == [])
        #expect(h.tick(at: 5) == [.runProbe(0, .liveness)])
        #expect(
            h.send(.probeFinished(0, .liveness, success: false, detail: "refused"), at: 5.5) == [
                .log("redis liveness check failed 1 time: refused"), .log("redis stopping (shutdown command)"),
                .runShutdownCommand(0, timeout: .seconds(10)),
            ])
        #expect(
            h.send(.shutdownCommandFinished(0, success: true), at: 6) == [
                .log("redis shutdown command done, restarting in 2s")
            ])
        #expect(h.tick(at: 8) == [.spawn(0)])
    }

    @Test func restartDecisionTable() {
        let always = Availability(restart: .always, maxRestarts: 2)
        #expect(
            RestartDecision.decide(availability: always, succeeded: true, failureCode: 0, restartsSoFar: 1) == .restart)
        #expect(
            RestartDecision.decide(availability: always, succeeded: true, failureCode: 0, restartsSoFar: 2)
                == .finish(exhausted: true))
        let unlimited = Availability(restart: .onFailure, maxRestarts: 0)
        #expect(
            RestartDecision.decide(availability: unlimited, succeeded: false, failureCode: 1, restartsSoFar: 999)
                == .restart)
        let exitOnFailure = Availability(restart: .exitOnFailure)
        #expect(
            RestartDecision.decide(availability: exitOnFailure, succeeded: false, failureCode: 7, restartsSoFar: 0)
                == .endRun(code: 7, exhausted: false))
    }

    @Test func backoffDelayCapsAndNeverOverflows() {
        #expect(RestartBackoff.delay(base: .seconds(1), max: .seconds(30), quickRestartsInARow: 3) == .seconds(8))
        #expect(RestartBackoff.delay(base: .seconds(1), max: .seconds(30), quickRestartsInARow: 1000) == .seconds(30))
        #expect(RestartBackoff.delay(base: .seconds(60), max: .seconds(30), quickRestartsInARow: 0) == .seconds(30))
        #expect(RestartBackoff.delay(base: .zero, max: .seconds(30), quickRestartsInARow: 5) == .zero)
    }

    @Test func durationsReadShortly() {
        #expect(LogText.duration(.seconds(2)) == "2s")
        #expect(LogText.duration(.milliseconds(1500)) == "1.5s")
        #expect(LogText.duration(.milliseconds(1050)) == "1.05s")
        #expect(LogText.duration(.milliseconds(250)) == "250ms")
    }
}
