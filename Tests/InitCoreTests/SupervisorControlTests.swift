import Testing

@testable import InitCore

@Suite struct SupervisorControlTests {
    @Test func stopKeepsTheServiceDownAndPcinitUp() {
        var h = Harness([service("web") { $0.availability.restart = .always }])
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopService("web")) == [
                .log("web stopping (SIGTERM)"), .signal(pid: 100, signal: 15, toGroup: true),
                .signal(pid: 100, signal: 18, toGroup: true),
                .controlReply(success: true, message: "web stopping"),
            ])
        #expect(h.exited("web", .signaled(15)) == [.log("web stopped (killed by SIGTERM)")])
        #expect(h.state("web") == .stopped)
        #expect(!h.supervisor.isStopping)
        #expect(h.supervisor.nextDeadline == nil)
    }

    @Test func startBringsAStoppedServiceBack() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        h.send(.stopService("web"))
        h.exited("web", .exited(0))
        #expect(
            h.send(.startService("web")) == [
                .log("web started by request"), .spawn(0), .controlReply(success: true, message: "web starting"),
            ])
    }

    @Test func startRunsADisabledService() {
        var h = Harness([service("web"), service("debug") { $0.disabled = true }])
        h.beginAndSpawnAll()
        #expect(
            h.send(.startService("debug")).withoutLogs == [
                .spawn(1), .controlReply(success: true, message: "debug starting"),
            ])
        #expect(h.state("debug") == .starting)
    }

    @Test func startRespectsDependencies() {
        var h = Harness([
            service("db"),
            service("api") {
                $0.disabled = true
                $0.dependsOn = [Dependency(service: "db", condition: .processCompletedSuccessfully)]
            },
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.startService("api")) == [
                .log("api started by request"),
                .controlReply(success: true, message: "api is waiting for its dependencies"),
            ])
        #expect(h.exited("db", .exited(0)) == [.log("db exited 0"), .spawn(1)])
    }

    @Test func restartStopsThenSpawnsAtOnceWithoutCountingARestart() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        #expect(
            h.send(.restartService("web")) == [
                .log("web stopping (SIGTERM)"), .signal(pid: 100, signal: 15, toGroup: true),
                .signal(pid: 100, signal: 18, toGroup: true),
                .controlReply(success: true, message: "web restarting"),
            ])
        #expect(h.exited("web", .signaled(15)) == [.log("web killed by SIGTERM, restarting now"), .spawn(0)])
        #expect(h.status("web").restarts == 0)
    }

    @Test func restartDuringBackoffSpawnsNow() {
        var h = Harness([service("web") { $0.availability = Availability(restart: .always, backoff: .seconds(30)) }])
        h.beginAndSpawnAll()
        h.exited("web", .exited(1))
        #expect(
            h.send(.restartService("web")).withoutLogs == [
                .spawn(0), .controlReply(success: true, message: "web starting"),
            ])
    }

    @Test func unknownNamesAndStoppingRunsAreRefused() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        #expect(h.send(.startService("nope")) == [.controlReply(success: false, message: "no service named nope")])
        h.send(.stopRequested(signal: 15))
        #expect(h.send(.startService("web")) == [.controlReply(success: false, message: "pcinit is stopping")])
    }

    @Test func stoppingAPendingServiceSkipsWhatWaitsForItsStart() {
        var h = Harness([
            service("db") { $0.readinessProbe = probe() },
            service("api") { $0.dependsOn = [Dependency(service: "db", condition: .processHealthy)] },
            service("web") { $0.dependsOn = [Dependency(service: "api", condition: .processStarted)] },
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopService("api")) == [
                .log("api cancelled"), .log("web skipped: api was stopped"),
                .controlReply(success: true, message: "api stopped"),
            ])
    }
}
