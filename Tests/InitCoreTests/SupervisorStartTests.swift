import Testing

@testable import InitCore

@Suite struct SupervisorStartTests {
    @Test func independentServicesStartTogetherAndDependentsWaitForTheirCondition() {
        var h = Harness([
            service("a"), service("b"),
            service("c") { $0.dependsOn = [Dependency(service: "a", condition: .processStarted)] },
        ])
        #expect(h.send(.begin) == [.spawn(0), .spawn(1)])
        #expect(h.state("c") == .pending)
        #expect(h.spawned("a") == [.log("a started (pid 100)"), .spawn(2)])
        #expect(h.state("a") == .running)
        #expect(h.state("c") == .starting)
    }

    @Test func processHealthyWaitsForTheReadinessProbe() {
        var h = Harness([
            service("db") { $0.readinessProbe = probe(initialDelay: 2, period: 5) },
            service("api") { $0.dependsOn = [Dependency(service: "db", condition: .processHealthy)] },
        ])
        #expect(h.send(.begin) == [.spawn(0)])
        #expect(h.spawned("db") == [.log("db started (pid 100)")])
        #expect(h.supervisor.nextDeadline == at(2))
        #expect(h.tick(at: 1.5) == [])
        #expect(h.tick(at: 2) == [.runProbe(0, .readiness)])
        #expect(h.supervisor.nextDeadline == nil)
        let ready = h.send(.probeFinished(0, .readiness, success: true, detail: "ok"), at: 2.5)
        #expect(ready == [.log("db ready"), .spawn(1)])
        #expect(h.supervisor.nextDeadline == at(7))
    }

    @Test func processHealthyOnAServiceWithoutReadinessHoldsOnceItRuns() {
        var h = Harness([
            service("cache"),
            service("api") { $0.dependsOn = [Dependency(service: "cache", condition: .processHealthy)] },
        ])
        h.send(.begin)
        #expect(h.spawned("cache") == [.log("cache started (pid 100)"), .spawn(1)])
    }

    @Test func processHealthyFailsWhenTheDependencyEndsBeforeBeingReady() {
        var h = Harness([
            service("db") { $0.readinessProbe = probe() },
            service("api") { $0.dependsOn = [Dependency(service: "db", condition: .processHealthy)] },
        ])
        h.send(.begin)
        #expect(h.spawned("db") == [.log("db started (pid 100)"), .runProbe(0, .readiness)])
        #expect(
            h.exited("db", .exited(1), at: 1) == [
                .cancelProbes(0), .log("db exited 1"), .log("api skipped: db failed before becoming ready"),
                .log("all services finished"), .exit(code: 1),
            ])
        #expect(h.status("api").detail == "db failed before becoming ready")
    }

    @Test func processHealthyHoldsForAOneShotThatCompletedBeforeItsProbePassed() {
        var h = Harness([
            service("migrate") { $0.readinessProbe = probe(initialDelay: 5) },
            service("api") { $0.dependsOn = [Dependency(service: "migrate", condition: .processHealthy)] },
        ])
        h.send(.begin)
        h.spawned("migrate")
        #expect(h.exited("migrate", .exited(0), at: 1) == [.log("migrate exited 0"), .spawn(1)])
    }

    @Test func processCompletedHoldsForAnyEnding() {
        var h = Harness([
            service("setup"),
            service("app") { $0.dependsOn = [Dependency(service: "setup", condition: .processCompleted)] },
        ])
        h.send(.begin)
        #expect(h.spawned("setup") == [.log("setup started (pid 100)")])
        #expect(h.exited("setup", .exited(3)) == [.log("setup exited 3"), .spawn(1)])
    }

    @Test func processCompletedHoldsForASkippedDependency() {
        var h = Harness([
            service("a"),
            service("b") { $0.dependsOn = [Dependency(service: "a", condition: .processCompletedSuccessfully)] },
            service("c") { $0.dependsOn = [Dependency(service: "b", condition: .processCompleted)] },
        ])
        h.send(.begin)
        h.spawned("a")
        #expect(h.exited("a", .exited(1)) == [.log("a exited 1"), .log("b skipped: a failed"), .spawn(2)])
    }

    @Test func processCompletedSuccessfullyWaitsForASuccessCode() {
        var h = Harness([
            service("migrate") { $0.successExitCodes = [3] },
            service("api") {
                $0.dependsOn = [Dependency(service: "migrate", condition: .processCompletedSuccessfully)]
            },
        ])
        h.send(.begin)
        h.spawned("migrate")
        #expect(h.exited("migrate", .exited(3)) == [.log("migrate exited 3"), .spawn(1)])
    }

    @Test func skipsCascadeThroughEveryConditionThatCanNoLongerHold() {
        var h = Harness([
            service("a"),
            service("b") { $0.dependsOn = [Dependency(service: "a", condition: .processCompletedSuccessfully)] },
            service("c") { $0.dependsOn = [Dependency(service: "b", condition: .processStarted)] },
            service("d") { $0.dependsOn = [Dependency(service: "c", condition: .processHealthy)] },
        ])
        h.send(.begin)
        h.spawned("a")
        #expect(
            h.exited("a", .signaled(9)) == [
                .log("a killed by SIGKILL"), .log("b skipped: a failed"), .log("c skipped: b was skipped"),
                .log("d skipped: c was skipped before becoming ready"), .log("all services finished"), .exit(code: 1),
            ])
        #expect(h.state("d") == .skipped)
    }

    @Test func processLogReadyWaitsForTheLineAndFailsWithoutIt() {
        let services = [
            service("db") { $0.readyLogLine = "listening" },
            service("api") { $0.dependsOn = [Dependency(service: "db", condition: .processLogReady)] },
        ]
        var seen = Harness(services)
        seen.send(.begin)
        #expect(seen.spawned("db") == [.log("db started (pid 100)")])
        #expect(seen.send(.readyLogLineSeen(0)) == [.log("db ready"), .spawn(1)])

        var unseen = Harness(services)
        unseen.send(.begin)
        unseen.spawned("db")
        #expect(
            unseen.exited("db", .exited(0)) == [
                .log("db exited 0"), .log("api skipped: db completed before its ready line"),
                .log("all services finished"), .exit(code: 1),
            ])
    }

    @Test func processStartedFailsWhenTheDependencyCannotBeSpawned() {
        var h = Harness([
            service("db"),
            service("api") { $0.dependsOn = [Dependency(service: "db", condition: .processStarted)] },
        ])
        h.send(.begin)
        #expect(
            h.send(.spawnFailed(0, reason: "run-db: not found")) == [
                .log("db failed to start: run-db: not found"), .log("api skipped: db failed"),
                .log("all services finished"), .exit(code: 1),
            ])
        #expect(h.status("db").exitCode == 127)
        #expect(h.status("db").detail == "run-db: not found")
    }

    @Test func exitOnSkippedStopsTheRunWithCodeOne() {
        var h = Harness([
            service("a"),
            service("b") {
                $0.dependsOn = [Dependency(service: "a", condition: .processCompletedSuccessfully)]
                $0.availability.exitOnSkipped = true
            },
            service("c"),
        ])
        h.beginAndSpawnAll()
        #expect(
            h.exited("a", .exited(2)) == [
                .log("a exited 2"), .log("b skipped: a failed"),
                .log("stopping all services: b was skipped (exit_on_skipped)"),
                .log("c stopping (SIGTERM)"), .signal(pid: 102, signal: 15, toGroup: true),
                .signal(pid: 102, signal: 18, toGroup: true),
            ])
        #expect(h.exited("c", .signaled(15)) == [.log("c stopped (killed by SIGTERM)"), .exit(code: 1)])
    }

    @Test func selectionRunsTheNamedServicesAndTheirDependencyClosureOnly() {
        var h = Harness(
            [
                service("db"),
                service("api") { $0.dependsOn = [Dependency(service: "db", condition: .processStarted)] },
                service("web") {
                    $0.dependsOn = [
                        Dependency(service: "api", condition: .processStarted),
                        Dependency(service: "tool", condition: .processCompleted),
                    ]
                },
                service("other"),
                service("tool") { $0.disabled = true },
            ], selection: ["web"])
        #expect(h.send(.begin) == [.log("web: tool is disabled, not waiting for it"), .spawn(0)])
        #expect(h.state("other") == .notSelected)
        #expect(h.state("tool") == .disabled)
        #expect(h.spawned("db") == [.log("db started (pid 100)"), .spawn(1)])
        #expect(h.spawned("api") == [.log("api started (pid 101)"), .spawn(2)])
    }

    @Test func disabledServicesStartOnlyWhenNamed() {
        let services = [service("web"), service("debug") { $0.disabled = true }]
        var all = Harness(services)
        #expect(all.send(.begin) == [.spawn(0)])
        #expect(all.state("debug") == .disabled)
        var named = Harness(services, selection: ["debug"])
        #expect(named.send(.begin) == [.spawn(1)])
        #expect(named.state("web") == .notSelected, "not named: not selected, which is not disabled")
    }

    @Test func selectionMatchesReplicaBaseNames() {
        var h = Harness(
            [service("web-0") { $0.baseName = "web" }, service("web-1") { $0.baseName = "web" }, service("db")],
            selection: ["web"])
        #expect(h.send(.begin) == [.spawn(0), .spawn(1)])
    }

    @Test func unknownNamesAreReported() {
        let config = ProjectConfig(services: [service("web-0") { $0.baseName = "web" }, service("db")])
        #expect(Supervisor.unknownNames(["web", "db", "web-0", "nope"], in: config) == ["nope"])
    }

    @Test func nothingToRunExitsAtOnce() {
        var h = Harness([service("x") { $0.disabled = true }])
        #expect(h.send(.begin) == [.log("no services to run"), .exit(code: 0)])
    }

    @Test func nothingStartsBeforeBegin() {
        var h = Harness([service("a")])
        #expect(h.send(.tick) == [])
        #expect(h.state("a") == .pending)
        #expect(!h.supervisor.isReady)
    }

    @Test func stateNamesAreStableLowercaseStrings() {
        #expect(
            ServiceState.allCases.map(\.rawValue) == [
                "pending", "starting", "running", "launching", "launched", "restarting", "stopping", "completed",
                "failed",
                "stopped", "skipped", "disabled", "not selected",
            ])
    }
}

@Suite struct SupervisorIdentityTests {
    @Test func beginAnnouncesEveryServiceBeforeStartingAny() {
        var h = Harness([service("db"), service("web") { $0.disabled = true }], mainCommand: .exec(["true"]))
        let actions = h.everything(.begin)
        let main = h.supervisor.mainCommandID!
        #expect(Array(actions.prefix(3)) == [.serviceAdded(0), .serviceAdded(1), .serviceAdded(main)])
        #expect(h.supervisor.serviceIDs == [0, 1, main])
    }

    @Test func idsAreDistinctAndNamedLookupsFindThem() {
        let h = Harness([service("a"), service("b"), service("c")])
        #expect(Set(h.supervisor.serviceIDs).count == 3)
        #expect(h.supervisor.service(named: "b") == h.supervisor.serviceIDs[1])
        #expect(h.supervisor.service(named: "nope") == nil)
        #expect(h.supervisor.status(h.id("c")).id == h.id("c"))
    }
}
