import Testing

@testable import InitCore

@Suite struct SupervisorReadinessTests {
    @Test func serviceWithoutReadinessIsReadyOnceRunning() {
        var h = Harness([service("web")])
        h.send(.begin)
        #expect(!h.supervisor.isReady)
        h.spawned("web")
        #expect(h.status("web").ready)
        #expect(h.supervisor.isReady)
    }

    @Test func readinessProbeNeedsSuccessThresholdSuccessesInARow() {
        var h = Harness([service("db") { $0.readinessProbe = probe(period: 1, success: 2) }])
        h.send(.begin)
        #expect(h.spawned("db", at: 0) == [.log("db started (pid 100)"), .runProbe(0, .readiness)])
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 0.1) == [])
        #expect(h.tick(at: 1) == [.runProbe(0, .readiness)])
        #expect(h.send(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 1.1) == [])
        #expect(h.tick(at: 2) == [.runProbe(0, .readiness)])
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 2.1) == [])
        #expect(!h.supervisor.isReady)
        #expect(h.tick(at: 3) == [.runProbe(0, .readiness)])
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 3.1) == [.log("db ready")])
        #expect(h.supervisor.isReady)
    }

    @Test func readinessIsLostAfterFailureThresholdFailuresInARow() {
        var h = Harness([service("db") { $0.readinessProbe = probe(period: 1, failure: 2) }])
        h.send(.begin)
        h.spawned("db", at: 0)
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 0.1) == [.log("db ready")])
        h.tick(at: 1)
        #expect(h.send(.probeFinished(0, .readiness, success: false, detail: "HTTP 500"), at: 1.1) == [])
        #expect(h.supervisor.isReady)
        h.tick(at: 2)
        #expect(
            h.send(.probeFinished(0, .readiness, success: false, detail: "HTTP 500"), at: 2.1) == [
                .log("db not ready (readiness check failed 2 times: HTTP 500)")
            ])
        #expect(!h.supervisor.isReady)
        #expect(h.state("db") == .running)
        h.tick(at: 3)
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 3.1) == [.log("db ready")])
    }

    @Test func failingReadinessBeforeFirstReadyIsReportedOncePerStreak() {
        var h = Harness([service("db") { $0.readinessProbe = probe(period: 1, failure: 1) }])
        h.send(.begin)
        h.spawned("db", at: 0)
        #expect(
            h.send(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 0.1) == [
                .log("db readiness check failed 1 time: refused")
            ])
        h.tick(at: 1)
        #expect(h.send(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 1.1) == [])
    }

    @Test func probeChecksNeverOverlapAndFollowThePeriod() {
        var h = Harness([service("db") { $0.readinessProbe = probe(initialDelay: 1, period: 2) }])
        h.send(.begin)
        h.spawned("db", at: 0)
        #expect(h.tick(at: 1) == [.runProbe(0, .readiness)])
        // The check takes longer than the period: the next one starts when it answers, not before.
        #expect(h.tick(at: 3.5) == [])
        #expect(h.supervisor.nextDeadline == nil)
        #expect(
            h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 4) == [
                .log("db ready"), .runProbe(0, .readiness),
            ])
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 4.5) == [])
        #expect(h.supervisor.nextDeadline == at(6))
    }

    @Test func readyLogLineMakesTheServiceReady() {
        var h = Harness([service("web") { $0.readyLogLine = "listening" }])
        h.send(.begin)
        h.spawned("web")
        #expect(!h.supervisor.isReady)
        #expect(h.send(.readyLogLineSeen(0)) == [.log("web ready")])
        #expect(h.supervisor.isReady)
    }

    @Test func notifyReadyMakesTheServiceReady() {
        var h = Harness([service("web") { $0.notify = true }])
        h.send(.begin)
        h.spawned("web")
        #expect(!h.status("web").ready)
        #expect(h.send(.notifyReady(0)) == [.log("web ready")])
        #expect(h.status("web").ready)
    }

    @Test func completedOneShotCountsAsReady() {
        var h = Harness([service("migrate"), service("web") { $0.readyLogLine = "up" }])
        h.beginAndSpawnAll()
        h.exited("migrate", .exited(0))
        #expect(!h.supervisor.isReady)
        h.send(.readyLogLineSeen(1))
        #expect(h.supervisor.isReady)
    }

    @Test func failedServiceMakesTheRunNotReady() {
        var h = Harness([service("worker"), service("web")])
        h.beginAndSpawnAll()
        #expect(h.supervisor.isReady)
        h.exited("worker", .exited(1))
        #expect(!h.supervisor.isReady)
    }

    @Test func livenessFailureStopsTheServiceAndTheRestartPolicyRestartsIt() {
        var h = Harness([
            service("web") {
                $0.livenessProbe = probe(period: 1, failure: 2)
                $0.availability = Availability(restart: .onFailure, backoff: .seconds(1))
            }
        ])
        h.send(.begin)
        #expect(h.spawned("web", at: 0) == [.log("web started (pid 100)"), .runProbe(0, .liveness)])
        #expect(h.send(.probeFinished(0, .liveness, success: false, detail: "refused"), at: 0.5) == [])
        #expect(h.supervisor.nextDeadline == at(1))
        #expect(h.tick(at: 1) == [.runProbe(0, .liveness)])
        #expect(
            h.send(.probeFinished(0, .liveness, success: false, detail: "refused"), at: 1.2) == [
                .log("web liveness check failed 2 times: refused"), .log("web stopping (SIGTERM)"),
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(!h.supervisor.isReady)
        #expect(h.supervisor.nextDeadline == at(11.2))
        // It exits 0 on SIGTERM: still a failure, since its liveness failed.
        #expect(h.exited("web", .exited(0), at: 1.5) == [.log("web exited 0, restarting in 1s")])
        #expect(h.state("web") == .restarting)
        #expect(h.tick(at: 2.5) == [.spawn(0)])
        #expect(h.status("web").restarts == 1)
    }

    @Test func livenessSuccessResetsTheFailureStreak() {
        var h = Harness([service("web") { $0.livenessProbe = probe(period: 1, failure: 2) }])
        h.send(.begin)
        h.spawned("web", at: 0)
        h.send(.probeFinished(0, .liveness, success: false, detail: "x"), at: 0.1)
        h.tick(at: 1)
        h.send(.probeFinished(0, .liveness, success: true, detail: ""), at: 1.1)
        h.tick(at: 2)
        #expect(h.send(.probeFinished(0, .liveness, success: false, detail: "x"), at: 2.1) == [])
        #expect(h.state("web") == .running)
    }

    @Test func probesStopWhenTheServiceStops() {
        var h = Harness([service("db") { $0.readinessProbe = probe(period: 1) }])
        h.send(.begin)
        h.spawned("db", at: 0)
        #expect(
            h.send(.stopRequested(signal: 15), at: 0.5) == [
                .log("stopping all services: SIGTERM received"), .cancelProbes(0), .log("db stopping (SIGTERM)"),
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        // A late answer from the cancelled check changes nothing, and no new check is scheduled.
        #expect(h.send(.probeFinished(0, .readiness, success: true, detail: ""), at: 0.6) == [])
        #expect(h.tick(at: 5) == [])
        #expect(h.supervisor.nextDeadline == at(10.5))
    }

    @Test func nextDeadlineIsNilWhenIdleWithoutProbes() {
        var h = Harness([service("web"), service("db")])
        h.beginAndSpawnAll()
        #expect(h.supervisor.nextDeadline == nil)
    }
}
