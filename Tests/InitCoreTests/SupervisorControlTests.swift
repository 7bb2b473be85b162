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
                .reply("web", true, "web stopping"),
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
                .log("web started by request"), .spawn(0), .reply("web", true, "web starting"),
            ])
    }

    @Test func startRunsADisabledService() {
        var h = Harness([service("web"), service("debug") { $0.disabled = true }])
        h.beginAndSpawnAll()
        #expect(
            h.send(.startService("debug")).withoutLogs == [
                .spawn(1), .reply("debug", true, "debug starting"),
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
                .reply("api", true, "api is waiting for its dependencies"),
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
                .reply("web", true, "web restarting"),
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
                .spawn(0), .reply("web", true, "web starting"),
            ])
    }

    @Test func unknownNamesAndStoppingRunsAreRefused() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        #expect(h.send(.startService("nope")) == [.reply("nope", false, "no service named nope")])
        h.send(.stopRequested(signal: 15))
        #expect(h.send(.startService("web")) == [.reply("web", false, "pcinit is stopping")])
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
                .reply("api", true, "api stopped"),
            ])
    }
}

@Suite struct ControlCommandTests {
    func request(_ method: String, _ params: JSONValue = .object([])) -> ControlRequest {
        ControlRequest(id: .int(1), method: method, params: params)
    }

    @Test func everyVerbDecodesToItsOwnCommand() throws {
        let names = JSONValue.object([("services", .array([.string("web")]))])
        #expect(try ControlCommand.decode(request("status")) == .status)
        #expect(try ControlCommand.decode(request("start", names)) == .start(["web"]))
        #expect(try ControlCommand.decode(request("stop", names)) == .stop(["web"]))
        #expect(try ControlCommand.decode(request("restart", names)) == .restart(["web"]))
        #expect(try ControlCommand.decode(request("logs")) == .logs(LogsRequest()))
    }

    @Test func anUnknownMethodIsAnErrorNotARestart() {
        #expect(throws: ControlError.self) { try ControlCommand.decode(request("reboot")) }
        do {
            _ = try ControlCommand.decode(request("reboot"))
        } catch {
            #expect(error.code == ControlError.methodNotFound)
        }
    }

    @Test func oneRequestForSeveralServicesGetsOneReplyWithAnOutcomeEach() {
        var h = Harness([service("a"), service("b")])
        h.beginAndSpawnAll()
        let actions = h.send(.control(.stop(["b", "ghost", "a"]), token: testToken))
        guard case .controlReply(let token, .outcomes(let outcomes)) = actions.last else {
            Issue.record("no reply last: \(actions)")
            return
        }
        #expect(token == testToken)
        #expect(outcomes.map(\.service) == ["b", "ghost", "a"])
        #expect(outcomes.map(\.ok) == [true, false, true])
    }

    @Test func afterTheExitEveryRequestIsRefused() {
        var h = Harness([service("a")])
        h.beginAndSpawnAll()
        h.send(.exited(0, .exited(0)))
        #expect(h.send(.control(.query, token: testToken)) == [.controlReply(testToken, .refused("pcinit is exiting"))])
        #expect(
            h.send(.control(.restart(["a"]), token: testToken)) == [
                .controlReply(testToken, .refused("pcinit is exiting"))
            ])
    }

    @Test func queriesAreAnsweredByTheShellWhileTheRunGoesOn() {
        var h = Harness([service("a")])
        h.beginAndSpawnAll()
        #expect(h.send(.control(.query, token: testToken)) == [.controlReply(testToken, .answer)])
        h.send(.stopRequested(signal: 15))
        #expect(h.send(.control(.query, token: testToken)) == [.controlReply(testToken, .answer)])
    }
}
