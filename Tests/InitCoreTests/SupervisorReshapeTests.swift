import Testing

@testable import InitCore

/// `reload` and `scale` on the pure supervisor, with a hand-moved clock.
@Suite struct SupervisorReshapeTests {
    func outcomes(_ actions: [SupervisorAction]) -> [String] {
        for action in actions {
            if case .controlReply(_, .outcomes(let outcomes)) = action { return outcomes.map(\.message) }
        }
        return []
    }

    func reload(_ h: inout Harness, _ services: [ServiceConfig], at seconds: Double) -> [SupervisorAction] {
        h.everything(
            .control(.reload(ProjectConfig(services: services), stopTimeout: .seconds(10)), token: testToken),
            at: seconds)
    }

    @Test func aReloadAddsRemovesAndRestartsExactlyWhatChanged() {
        var h = Harness([
            service("keep"), service("change") { $0.environment.aboveInherited = [("K", "1")] }, service("drop"),
        ])
        h.beginAndSpawnAll()
        let keepPID = h.status("keep").pid
        let actions = reload(
            &h,
            [
                service("keep") { $0.description = "new words, same service" },
                service("change") { $0.environment.aboveInherited = [("K", "2")] },
                service("added"),
            ], at: 1)
        #expect(
            outcomes(actions) == [
                "removed drop", "restarted change: environment changed", "added added",
            ])
        #expect(h.status("keep").pid == keepPID, "an unchanged service keeps running")
        #expect(h.state("keep") == .running)
        #expect(h.state("change") == .stopping)
        #expect(h.state("drop") == .stopping)
        #expect(actions.contains(.serviceAdded(h.id("added"))))
        // The added service waits until the removed one is down: it may need its port.
        #expect(h.state("added") == .pending)
        let dropID = h.id("drop")
        let down = h.everything(.exited(dropID, .signaled(15)), at: 2)
        #expect(down.contains(.serviceRemoved(dropID)))
        #expect(down.contains(.spawn(h.id("added"))))
        #expect(h.supervisor.service(named: "drop") == nil)
        // The changed one starts again with its new definition once its old process is gone.
        let changeID = h.id("change")
        #expect(h.everything(.exited(changeID, .signaled(15)), at: 2).contains(.spawn(changeID)))
        #expect(h.supervisor.spec(changeID).environment.aboveInherited.first?.1 == "2")
    }

    @Test func aReloadWithNothingThatChangesHowServicesRunTouchesNothing() {
        var h = Harness([service("a") { $0.location = SourceLocation(line: 3, column: 3) }])
        h.beginAndSpawnAll()
        let actions = reload(&h, [service("a") { $0.location = SourceLocation(line: 9, column: 3) }], at: 1)
        #expect(outcomes(actions) == [])
        #expect(actions.filter { if case .signal = $0 { true } else { false } }.isEmpty)
        #expect(h.state("a") == .running)
    }

    @Test func aReloadDuringAStopIsRefused() {
        var h = Harness([service("a")])
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 15), at: 1)
        let actions = reload(&h, [service("a"), service("b")], at: 1.5)
        #expect(actions == [.controlReply(testToken, .refused("pcinit is stopping"))])
    }

    @Test func aChangedServiceThatIsNotRunningTakesTheNewDefinitionForItsNextStart() {
        var h = Harness([
            service("once") { $0.availability = Availability(restart: .no) }, service("other"),
        ])
        h.beginAndSpawnAll()
        h.send(.exited(h.id("once"), .exited(0)), at: 1)
        let actions = reload(
            &h, [service("once") { $0.command = .shell("run-twice") }, service("other")], at: 2)
        #expect(outcomes(actions) == ["updated once (not running): command changed"])
        #expect(h.state("once") == .completed)
        #expect(h.supervisor.spec(h.id("once")).command == .shell("run-twice"))
    }

    @Test func scalingUpKeepsTheRunningReplicaUnderItsNewNameAndDependentsFollow() {
        var h = Harness([
            service("web"),
            service("proxy") { $0.dependsOn = [Dependency(service: "web", condition: .processStarted)] },
        ])
        h.beginAndSpawnAll()
        let webID = h.id("web")
        let webPID = h.status("web").pid
        let actions = h.everything(.control(.scale(service: "web", replicas: 3, specs: []), token: testToken), at: 1)
        #expect(outcomes(actions) == ["web scaled from 1 to 3 (web is now web-0, adding web-1, adding web-2)"])
        #expect(actions.contains(.serviceRenamed(webID)))
        #expect(h.supervisor.service(named: "web-0") == webID)
        #expect(h.status("web-0").pid == webPID, "the running replica keeps its pid")
        let spawned = actions.compactMap { if case .spawn(let id) = $0 { id } else { nil } }
        #expect(spawned == [h.id("web-1"), h.id("web-2")])
        #expect(
            h.supervisor.spec(h.id("web-2")).environment.belowInherited.contains { $0 == ("PC_REPLICA_NUM", "2") }
                || h.supervisor.spec(h.id("web-2")).replicaIndex == 2)
        #expect(
            h.supervisor.spec(h.id("proxy")).dependsOn.map(\.service).sorted() == ["web-0", "web-1", "web-2"])
    }

    @Test func scalingDownStopsTheHighestIndexFirstAndRemovesThemOnceDown() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        h.everything(.control(.scale(service: "web", replicas: 3, specs: []), token: testToken), at: 1)
        for name in ["web-1", "web-2"] { h.spawned(name, at: 1) }
        let survivor = h.status("web-0").pid
        let actions = h.everything(.control(.scale(service: "web", replicas: 1, specs: []), token: testToken), at: 2)
        #expect(
            outcomes(actions) == ["web scaled from 3 to 1 (stopping web-2, stopping web-1, web-0 is now web)"])
        let stopped = actions.compactMap { action -> Int32? in
            if case .signal(let pid, 15, _) = action { pid } else { nil }
        }
        #expect(stopped == [h.status("web-2").pid!, h.status("web-1").pid!], "highest index first")
        #expect(h.status("web").pid == survivor)
        let web2 = h.id("web-2")
        #expect(h.everything(.exited(web2, .signaled(15)), at: 3).contains(.serviceRemoved(web2)))
        #expect(!h.supervisor.knows(web2))
    }

    @Test func scalingToZeroAndBackUsesTheTemplateAndKeepsPCInitRunning() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        h.everything(.control(.scale(service: "web", replicas: 0, specs: []), token: testToken), at: 1)
        let gone = h.everything(.exited(h.id("web"), .signaled(15)), at: 2)
        #expect(!gone.contains { if case .exit = $0 { true } else { false } }, "nothing left, but pcinit waits")
        let back = h.everything(.control(.scale(service: "web", replicas: 2, specs: []), token: testToken), at: 3)
        #expect(outcomes(back) == ["web scaled from 0 to 2 (adding web-0, adding web-1)"])
        #expect(back.filter { if case .spawn = $0 { true } else { false } }.count == 2)
    }

    @Test func newReplicasTakeTheFilesRenderedDefinitionsWhenGiven() {
        var h = Harness([service("web") { $0.command = .shell("serve --port 4040") }])
        h.beginAndSpawnAll()
        let rendered = (0..<2).map { index in
            service("web-\(index)") {
                $0.baseName = "web"
                $0.replicaIndex = index
                $0.command = .shell("serve --port 404\(index)")
            }
        }
        h.everything(.control(.scale(service: "web", replicas: 2, specs: rendered), token: testToken), at: 1)
        #expect(h.supervisor.spec(h.id("web-1")).command == .shell("serve --port 4041"))
        #expect(h.supervisor.spec(h.id("web-0")).command == .shell("serve --port 4040"), "the running one is kept")
    }

    @Test func unknownNamesAreRefusedAndNothingChanges() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        let scale = h.everything(.control(.scale(service: "nope", replicas: 2, specs: []), token: testToken), at: 1)
        #expect(scale == [.reply("nope", false, "no service named nope")])
        let signal = h.everything(.control(.signal(service: "nope", signal: 1), token: testToken), at: 1)
        #expect(signal == [.reply("nope", false, "no service named nope")])
    }

    @Test func aSignalGoesToTheGroupOrWithParentOnlyToThePid() {
        var h = Harness([service("web"), service("solo") { $0.shutdown.parentOnly = true }])
        h.beginAndSpawnAll()
        #expect(
            h.everything(.control(.signal(service: "web", signal: 1), token: testToken)) == [
                .signal(pid: h.pid("web"), signal: 1, toGroup: true),
                .reply("web", true, "sent SIGHUP to web (process group \(h.pid("web")))"),
            ])
        #expect(
            h.everything(.control(.signal(service: "solo", signal: 10), token: testToken)).first
                == .signal(pid: h.pid("solo"), signal: 10, toGroup: false))
    }

    @Test func downStopsLikeSIGTERMAndASecondDownEscalates() {
        var h = Harness([service("deaf") { $0.shutdown.timeout = .seconds(30) }])
        h.beginAndSpawnAll()
        let first = h.send(.control(.down, token: testToken), at: 1)
        #expect(first.contains(.log("stopping all services: down requested")))
        #expect(first.last == .controlReply(testToken, .accepted("down requested: stopping")))
        let second = h.send(.control(.down, token: testToken), at: 2)
        #expect(second.contains(.signal(pid: h.pid("deaf"), signal: 9, toGroup: true)))
        #expect(second.last == .controlReply(testToken, .accepted("down requested again: killing what is left")))
        #expect(h.exited("deaf", .signaled(9), at: 2.1).last == .exit(code: 0))
    }

    @Test func statusShowsWhenEachStoppingServiceGetsItsSIGKILL() {
        var h = Harness([service("slow") { $0.shutdown.timeout = .seconds(4) }], stopTimeout: 10)
        h.beginAndSpawnAll()
        #expect(h.status("slow").killAt == nil)
        h.send(.stopRequested(signal: 15), at: 1)
        #expect(h.status("slow").killAt == at(5), "its own timeout comes before the 10 s budget")
        let row = StatusRow(h.status("slow"), now: at(2))
        #expect(row.killInSeconds == 3)
        #expect(
            StatusTable.render(StatusReport(ready: false, stopping: true, services: [row])).contains(
                "slow: stopping, SIGKILL in 3.0s"))
    }
}

@Suite struct ServiceDefinitionTests {
    @Test func onlyWhatChangesHowItRunsCounts() {
        let base = service("a") {
            $0.environment = ServiceEnvironment(aboveInherited: [("A", "1"), ("B", "2")])
            $0.description = "one"
        }
        var reordered = base
        reordered.environment.aboveInherited = [("B", "2"), ("A", "1")]
        reordered.description = "two"
        reordered.location = SourceLocation(line: 40, column: 1)
        #expect(ServiceDefinition.changes(from: base, shell: .init(), to: reordered, shell: .init()) == [])
        var changed = base
        changed.command = .shell("other")
        changed.workingDir = "/srv"
        changed.shutdown.signal = 2
        #expect(
            ServiceDefinition.changes(from: base, shell: .init(), to: changed, shell: .init()) == [
                "command", "working_dir", "shutdown",
            ])
    }

    @Test func howItsProcessesAreSetUpCounts() {
        let base = service("a")
        var changed = base
        changed.process.user = ServiceUser(
            spec: "nobody", name: "nobody", uid: 65534, gid: 65534, groups: [], home: nil)
        changed.process.umask = 0o027
        changed.process.resourceLimits = [ResourceLimit(resource: .nofile, soft: 64, hard: 64)]
        changed.process.noNewPrivileges = true
        changed.isTTY = true
        changed.logFile = LogFileConfig(path: "/tmp/a.log")
        #expect(
            ServiceDefinition.changes(from: base, shell: .init(), to: changed, shell: .init()) == [
                "user", "umask", "rlimits", "no_new_privileges", "is_tty", "log_location",
            ])
    }

    @Test func theShellMattersOnlyToShellCommands() {
        let bash = ShellConfig(command: "bash", argument: "-c")
        let shellService = service("a")
        #expect(
            ServiceDefinition.changes(from: shellService, shell: .init(), to: shellService, shell: bash) == ["shell"])
        let execService = service("b") { $0.command = .exec(["true"]) }
        #expect(ServiceDefinition.changes(from: execService, shell: .init(), to: execService, shell: bash) == [])
    }
}
