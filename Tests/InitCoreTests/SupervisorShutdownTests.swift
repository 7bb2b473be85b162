import Testing

@testable import InitCore

@Suite struct SupervisorShutdownTests {
    /// db <- api <- web: levels 0, 1, 2.
    func chain(_ configure: (inout ServiceConfig) -> Void = { _ in }) -> [ServiceConfig] {
        [
            service("db", configure),
            service("api") {
                $0.dependsOn = [Dependency(service: "db", condition: .processStarted)]
                configure(&$0)
            },
            service("web") {
                $0.dependsOn = [Dependency(service: "api", condition: .processStarted)]
                configure(&$0)
            },
        ]
    }

    @Test func orderedStopGoesLevelByLevelFromTheTop() {
        var h = Harness(chain())
        h.beginAndSpawnAll()
        #expect(h.supervisor.isReady)
        #expect(
            h.send(.stopRequested(signal: 15), at: 1) == [
                .log("stopping all services: SIGTERM received"), .log("web stopping (SIGTERM)"),
                .signal(pid: 102, signal: 15, toGroup: true), .signal(pid: 102, signal: 18, toGroup: true),
            ])
        #expect(h.supervisor.isStopping)
        #expect(!h.supervisor.isReady)
        #expect(h.state("api") == .running)
        #expect(h.tick(at: 2) == [])
        #expect(
            h.exited("web", .signaled(15), at: 2) == [
                .log("web stopped (killed by SIGTERM)"), .log("api stopping (SIGTERM)"),
                .signal(pid: 101, signal: 15, toGroup: true), .signal(pid: 101, signal: 18, toGroup: true),
            ])
        #expect(
            h.exited("api", .exited(0), at: 3) == [
                .log("api stopped (exited 0)"), .log("db stopping (SIGTERM)"),
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(h.exited("db", .exited(0), at: 4) == [.log("db stopped (exited 0)"), .exit(code: 0)])
        #expect(h.send(.tick, at: 5) == [])
    }

    @Test func servicesOfOneLevelStopTogetherAndTheNextLevelWaitsForAllOfThem() {
        let started = [Dependency(service: "db", condition: .processStarted)]
        var h = Harness([
            service("db"), service("web1") { $0.dependsOn = started }, service("web2") { $0.dependsOn = started },
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopRequested(signal: 2)).withoutLogs == [
                .signal(pid: 101, signal: 15, toGroup: true), .signal(pid: 101, signal: 18, toGroup: true),
                .signal(pid: 102, signal: 15, toGroup: true), .signal(pid: 102, signal: 18, toGroup: true),
            ])
        #expect(h.exited("web1", .exited(0)) == [.log("web1 stopped (exited 0)")])
        #expect(
            h.exited("web2", .exited(0)).withoutLogs == [
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
    }

    @Test func unorderedStopSignalsEverythingAtOnce() {
        var h = Harness(chain(), orderedShutdown: false)
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopRequested(signal: 15)).withoutLogs == [
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
                .signal(pid: 101, signal: 15, toGroup: true), .signal(pid: 101, signal: 18, toGroup: true),
                .signal(pid: 102, signal: 15, toGroup: true), .signal(pid: 102, signal: 18, toGroup: true),
            ])
        #expect(h.supervisor.nextDeadline == at(10))
    }

    @Test func aServiceIsKilledAtItsTimeoutWhileItsNeighbourStoppedAtOnce() {
        var h = Harness([
            service("slow") { $0.shutdown.timeout = .seconds(2) },
            service("quick"),
        ])
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        #expect(h.exited("quick", .exited(0), at: 0.1) == [.log("quick stopped (exited 0)")])
        #expect(h.supervisor.nextDeadline == at(2))
        #expect(h.tick(at: 1.9) == [])
        #expect(h.tick(at: 2) == [.log("slow killed after 2s"), .signal(pid: 100, signal: 9, toGroup: true)])
        #expect(h.supervisor.nextDeadline == at(10))
        #expect(h.exited("slow", .signaled(9), at: 2.1) == [.log("slow stopped (killed by SIGKILL)"), .exit(code: 0)])
    }

    @Test func parentOnlySignalsThePidButKillsTheGroup() {
        var h = Harness([
            service("app") {
                $0.shutdown = ShutdownConfig(signal: 2, timeout: .seconds(1), parentOnly: true)
            }
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopRequested(signal: 15), at: 0).withoutLogs == [
                .signal(pid: 100, signal: 2, toGroup: false), .signal(pid: 100, signal: 18, toGroup: false),
            ])
        #expect(h.tick(at: 1).withoutLogs == [.signal(pid: 100, signal: 9, toGroup: true)])
    }

    @Test func theGlobalBudgetKillsEverythingStillUpAtEveryLevel() {
        var h = Harness(chain { $0.shutdown.timeout = .seconds(30) }, stopTimeout: 5)
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        #expect(h.supervisor.nextDeadline == at(5))
        #expect(
            h.tick(at: 5) == [
                .log("stop timeout 5s reached, killing db, api, web"), .signal(pid: 100, signal: 9, toGroup: true),
                .signal(pid: 101, signal: 9, toGroup: true), .signal(pid: 102, signal: 9, toGroup: true),
            ])
        #expect(h.supervisor.nextDeadline == nil)
        #expect(h.exited("db", .signaled(9)) == [.log("db stopped (killed by SIGKILL)")])
        #expect(h.exited("web", .signaled(9)) == [.log("web stopped (killed by SIGKILL)")])
        #expect(h.exited("api", .signaled(9)) == [.log("api stopped (killed by SIGKILL)"), .exit(code: 0)])
    }

    @Test func aSecondStopSignalKillsEverythingAtOnce() {
        var h = Harness(chain())
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        #expect(
            h.send(.stopRequested(signal: 2), at: 1) == [
                .log("second stop signal (SIGINT), killing db, api, web"), .signal(pid: 100, signal: 9, toGroup: true),
                .signal(pid: 101, signal: 9, toGroup: true), .signal(pid: 102, signal: 9, toGroup: true),
            ])
        #expect(h.send(.stopRequested(signal: 2), at: 1.5) == [])
    }

    @Test func aStopSignalDuringAnInternalStopIsTheFirstNotTheSecond() {
        var h = Harness([
            service("job") { $0.availability.exitOnEnd = true },
            service("web") { $0.shutdown.timeout = .seconds(30) },
        ])
        h.beginAndSpawnAll()
        h.exited("job", .exited(0))
        #expect(h.send(.stopRequested(signal: 15)) == [])
        #expect(h.send(.stopRequested(signal: 15)).withoutLogs == [.signal(pid: 101, signal: 9, toGroup: true)])
    }

    @Test func shutdownCommandSuccessWaitsForTheExit() {
        var h = Harness([
            service("nginx") { $0.shutdown = ShutdownConfig(command: "nginx -s quit", timeout: .seconds(3)) }
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopRequested(signal: 15), at: 0) == [
                .log("stopping all services: SIGTERM received"), .log("nginx stopping (shutdown command)"),
                .runShutdownCommand(0, timeout: .seconds(3)), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(h.send(.shutdownCommandFinished(0, success: true), at: 1) == [])
        #expect(h.exited("nginx", .exited(0), at: 1.5) == [.log("nginx stopped (exited 0)"), .exit(code: 0)])
    }

    @Test func shutdownCommandSuccessStillEndsInSigkillAtTheTimeout() {
        var h = Harness([
            service("nginx") { $0.shutdown = ShutdownConfig(command: "nginx -s quit", timeout: .seconds(3)) }
        ])
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        h.send(.shutdownCommandFinished(0, success: true), at: 1)
        #expect(h.tick(at: 3) == [.log("nginx killed after 3s"), .signal(pid: 100, signal: 9, toGroup: true)])
    }

    @Test func shutdownCommandFailureKillsTheGroup() {
        var h = Harness([service("nginx") { $0.shutdown.command = "nginx -s quit" }])
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        #expect(
            h.send(.shutdownCommandFinished(0, success: false), at: 10) == [
                .log("nginx shutdown command failed, killing"), .signal(pid: 100, signal: 9, toGroup: true),
            ])
        // The timer for the same moment does not kill twice.
        #expect(h.tick(at: 10) == [])
    }

    @Test func nothingRestartsDuringAStop() {
        var h = Harness(
            chain { $0.availability = Availability(restart: .always, backoff: .seconds(1)) })
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        // db is not signalled yet; it crashes on its own: no restart.
        #expect(h.exited("db", .exited(1), at: 0.5) == [.log("db exited 1")])
        #expect(h.state("db") == .failed)
        #expect(
            h.exited("web", .exited(0), at: 1).withoutLogs == [
                .signal(pid: 101, signal: 15, toGroup: true), .signal(pid: 101, signal: 18, toGroup: true),
            ])
        #expect(h.exited("api", .exited(0), at: 1.5) == [.log("api stopped (exited 0)"), .exit(code: 0)])
    }

    @Test func pendingAndBackoffServicesAreCancelled() {
        var h = Harness([
            service("worker") { $0.availability = Availability(restart: .always, backoff: .seconds(5)) },
            service("late") { $0.dependsOn = [Dependency(service: "worker", condition: .processCompleted)] },
        ])
        h.beginAndSpawnAll()
        h.exited("worker", .exited(1), at: 0)
        #expect(h.state("worker") == .restarting)
        #expect(
            h.send(.stopRequested(signal: 15), at: 1) == [
                .log("stopping all services: SIGTERM received"), .log("worker cancelled"), .log("late cancelled"),
                .exit(code: 0),
            ])
        #expect(h.state("late") == .stopped)
    }

    @Test func aServiceStillStartingIsStoppedOnceItsPidIsKnown() {
        var h = Harness([service("web")])
        h.send(.begin)
        #expect(h.send(.stopRequested(signal: 15)) == [.log("stopping all services: SIGTERM received")])
        #expect(
            h.spawned("web") == [
                .log("web started (pid 100)"), .log("web stopping (SIGTERM)"),
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
    }

    @Test func aLaunchedDaemonWithoutShutdownCommandIsLeftToTheFinalCleanup() {
        var h = Harness([service("d") { $0.isDaemon = true }])
        h.beginAndSpawnAll()
        h.exited("d", .exited(0))
        #expect(
            h.send(.stopRequested(signal: 15)) == [
                .log("stopping all services: SIGTERM received"),
                .log("d stopped (daemon has no pid and no shutdown command; left to the final cleanup)"),
                .exit(code: 0),
            ])
    }

    @Test func stopBeforeBeginExitsAtOnce() {
        var h = Harness([service("web")])
        #expect(
            h.send(.stopRequested(signal: 15)) == [
                .log("stopping all services: SIGTERM received"), .log("web cancelled"), .exit(code: 0),
            ])
    }

    @Test func aProcessSpawnedAfterEscalationIsKilledWithoutGrace() {
        var h = Harness([service("db"), service("web")])
        h.send(.begin)
        h.spawned("db")
        h.send(.stopRequested(signal: 15))
        h.send(.stopRequested(signal: 15))
        #expect(
            h.spawned("web") == [
                .log("web started (pid 101)"), .log("web killed (stop escalated)"),
                .signal(pid: 101, signal: 9, toGroup: true),
            ])
    }
}
