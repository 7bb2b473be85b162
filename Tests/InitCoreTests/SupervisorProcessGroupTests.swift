import Testing

@testable import InitCore

/// A service is over only when its process group is: `.leaderExited` (the leader is reaped, the group is not
/// empty) never ends a service; `.exited` (the group is empty) does.
@Suite struct SupervisorProcessGroupTests {
    /// db <- api (api stops first).
    func pair(_ configureAPI: (inout ServiceConfig) -> Void = { _ in }) -> [ServiceConfig] {
        [
            service("db"),
            service("api") {
                $0.dependsOn = [Dependency(service: "db", condition: .processStarted)]
                configureAPI(&$0)
            },
        ]
    }

    @Test func duringTheRunsStopTheNextLevelWaitsForTheWholeGroup() {
        var h = Harness(pair())
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        #expect(h.state("api") == .stopping)
        // dash's `sh -c` dies of the TERM at once; its child drains.
        #expect(h.send(.leaderExited(h.id("api"), .signaled(15)), at: 0.01) == [])
        #expect(h.state("api") == .stopping)
        #expect(h.state("db") == .running)
        #expect(h.status("api").pid == h.pid("api"))
        #expect(
            h.exited("api", .signaled(15), at: 2) == [
                .log("api stopped (killed by SIGTERM)"), .log("db stopping (SIGTERM)"),
                .signal(pid: h.pid("db"), signal: 15, toGroup: true),
                .signal(pid: h.pid("db"), signal: 18, toGroup: true),
            ])
        #expect(h.status("api").exitCode == 143)
    }

    @Test func aGroupThatOutlivesItsLeaderStillGetsSIGKILLAtTheTimeout() {
        var h = Harness(pair { $0.shutdown.timeout = .seconds(3) })
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        h.send(.leaderExited(h.id("api"), .signaled(15)), at: 0.01)
        #expect(h.supervisor.nextDeadline == at(3))
        #expect(
            h.tick(at: 3) == [
                .log("api killed after 3s"), .signal(pid: h.pid("api"), signal: 9, toGroup: true),
            ])
        #expect(h.exited("api", .signaled(15), at: 3.01).contains(.log("api stopped (killed by SIGTERM)")))
    }

    @Test func aLeaderThatLeavesItsGroupRunningGetsTheGroupStoppedThenTheRestartPolicy() {
        var h = Harness([
            service("web") {
                $0.availability = Availability(restart: .always, backoff: .seconds(1))
            }
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.leaderExited(0, .exited(0)), at: 5) == [
                .log("web main process exited 0 while its process group still runs: stopping the group"),
                .log("web stopping (SIGTERM)"),
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(h.state("web") == .stopping)
        #expect(!h.supervisor.isReady)
        // Nothing is spawned while the old group lives.
        #expect(h.tick(at: 7) == [])
        #expect(
            h.exited("web", .exited(0), at: 7.5) == [
                .log("web exited 0; its process group is gone, restarting in 1s")
            ])
        #expect(h.state("web") == .restarting)
        #expect(h.status("web").restarts == 1)
        #expect(h.tick(at: 8.5) == [.spawn(0)])
    }

    @Test func theLeadersEndDecidesWhenTheGroupIsGone() {
        var h = Harness([
            service("job") { $0.availability = Availability(restart: .exitOnFailure) }
        ])
        h.beginAndSpawnAll()
        h.send(.leaderExited(0, .exited(3)), at: 1)
        let actions = h.exited("job", .signaled(15), at: 2)
        #expect(actions.contains(.log("job exited 3; its process group is gone")))
        #expect(actions.last == .exit(code: 3))
    }

    @Test func parentOnlyGoesToTheGroupOnceTheLeaderIsReaped() {
        var h = Harness([
            service("web") {
                $0.shutdown = ShutdownConfig(signal: 2, parentOnly: true)
                $0.availability = Availability(restart: .no)
            }
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.leaderExited(0, .exited(0)), at: 1).withoutLogs == [
                .signal(pid: 100, signal: 2, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
    }

    @Test func aControlRestartSpawnsOnlyOnceTheOldGroupIsGone() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        h.send(.restartService("web"), at: 1)
        #expect(h.send(.leaderExited(0, .signaled(15)), at: 1.01) == [])
        #expect(h.tick(at: 2) == [])
        #expect(h.exited("web", .signaled(15), at: 3).withoutLogs == [.spawn(0)])
    }

    @Test func exitOnEndWaitsForTheGroup() {
        var h = Harness([
            service("once") { $0.availability = Availability(restart: .no, exitOnEnd: true) },
            service("other"),
        ])
        h.beginAndSpawnAll()
        h.send(.stopService("once"), at: 1)
        #expect(h.send(.leaderExited(0, .signaled(15)), at: 1.1) == [])
        #expect(h.state("other") == .running)
        #expect(
            h.exited("once", .signaled(15), at: 2).contains(.log("stopping all services: once ended (exit_on_end)")))
    }

    @Test func aDaemonThatStaysInItsLaunchersGroupIsWatchedUntilTheGroupEnds() {
        var h = Harness([
            service("daemon") {
                $0.isDaemon = true
                $0.availability = Availability(restart: .always, backoff: .seconds(1))
            }
        ])
        h.beginAndSpawnAll()
        #expect(
            h.send(.leaderExited(0, .exited(0)), at: 1) == [
                .log("daemon launched (daemon; its process group is watched)")
            ])
        #expect(h.state("daemon") == .launched)
        #expect(h.status("daemon").pid == 100)
        #expect(h.supervisor.isReady)
        // Its stop now reaches the daemon through the group.
        #expect(
            h.exited("daemon", .exited(0), at: 9) == [
                .log("daemon ended (its process group is gone), restarting in 1s")
            ])
        #expect(h.state("daemon") == .restarting)
    }

    @Test func aLaunchedDaemonInItsGroupIsStoppedThroughTheGroup() {
        var h = Harness([service("daemon") { $0.isDaemon = true }])
        h.beginAndSpawnAll()
        h.send(.leaderExited(0, .exited(0)), at: 1)
        #expect(
            h.send(.stopRequested(signal: 15), at: 2).withoutLogs == [
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(h.exited("daemon", .exited(0), at: 3).last == .exit(code: 0))
    }

    @Test func aSecondLeaderExitOrOneForAnUnknownServiceIsIgnored() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 0)
        #expect(h.send(.leaderExited(0, .signaled(15)), at: 0.1) == [])
        #expect(h.send(.leaderExited(0, .signaled(15)), at: 0.2) == [])
        #expect(h.send(.leaderExited(7, .signaled(15)), at: 0.3) == [])
    }
}
