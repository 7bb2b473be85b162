import Testing

@testable import InitCore

/// design.md §1's exit code table, row by row, and main-command mode.
@Suite struct SupervisorExitCodeTests {
    @Test func stoppedBySignalExitsZeroWhateverTheServicesReturned() {
        var h = Harness([service("web")])
        h.beginAndSpawnAll()
        h.send(.stopRequested(signal: 2))
        #expect(h.exited("web", .exited(130)) == [.log("web stopped (exited 130)"), .exit(code: 0)])
    }

    @Test func exitOnEndGivesThatServiceCode() {
        var h = Harness([service("job") { $0.availability.exitOnEnd = true }, service("web")])
        h.beginAndSpawnAll()
        #expect(
            h.exited("job", .exited(3)) == [
                .log("job exited 3"), .log("stopping all services: job ended (exit_on_end)"),
                .log("web stopping (SIGTERM)"),
                .signal(pid: 101, signal: 15, toGroup: true), .signal(pid: 101, signal: 18, toGroup: true),
            ])
        #expect(h.exited("web", .exited(143)) == [.log("web stopped (exited 143)"), .exit(code: 3)])
    }

    @Test func exitOnEndMapsSuccessExitCodesToZeroAndSignalsTo128PlusN() {
        var allowed = Harness([
            service("job") {
                $0.availability.exitOnEnd = true
                $0.successExitCodes = [130]
            }
        ])
        allowed.beginAndSpawnAll()
        #expect(allowed.exited("job", .exited(130)).last == .exit(code: 0))

        var signaled = Harness([service("job") { $0.availability.exitOnEnd = true }])
        signaled.beginAndSpawnAll()
        #expect(signaled.exited("job", .signaled(6)).last == .exit(code: 134))
    }

    @Test func exitOnEndFiresOnlyAfterTheLastRestart() {
        var h = Harness([
            service("job") { $0.availability = Availability(restart: .onFailure, maxRestarts: 1, exitOnEnd: true) }
        ])
        h.beginAndSpawnAll()
        #expect(h.exited("job", .exited(1), at: 0) == [.log("job exited 1, restarting in 1s")])
        h.tick(at: 1)
        h.spawned("job", at: 1)
        #expect(
            h.exited("job", .exited(5), at: 2) == [
                .log("job exited 5, giving up after 1 restart"), .log("stopping all services: job ended (exit_on_end)"),
                .exit(code: 5),
            ])
    }

    @Test func spawnErrorOfAnExitOnEndServiceGivesItsShellCode() {
        var h = Harness([service("job") { $0.availability.exitOnEnd = true }])
        h.send(.begin)
        #expect(
            h.send(.spawnFailed(0, reason: "permission denied", exitCode: 126)) == [
                .log("job failed to start: permission denied"), .log("stopping all services: job ended (exit_on_end)"),
                .exit(code: 126),
            ])
    }

    @Test func everyServiceFinishedExitsZeroOnlyIfAllSucceeded() {
        var good = Harness([service("a"), service("b")])
        good.beginAndSpawnAll()
        #expect(good.exited("a", .exited(0)) == [.log("a exited 0")])
        #expect(good.exited("b", .exited(0)) == [.log("b exited 0"), .log("all services finished"), .exit(code: 0)])

        var bad = Harness([service("a"), service("b")])
        bad.beginAndSpawnAll()
        bad.exited("a", .exited(2))
        #expect(bad.exited("b", .exited(0)).last == .exit(code: 1))
    }

    @Test func exitCodePolicyFirstCauseWins() {
        #expect(ExitCodePolicy.code(for: .stopSignal(15), mainExitCode: nil) == 0)
        #expect(ExitCodePolicy.code(for: .stopSignal(15), mainExitCode: 143) == 143)
        #expect(ExitCodePolicy.code(for: .serviceFailed(0, code: 42), mainExitCode: 143) == 42)
        #expect(ExitCodePolicy.code(for: .skipped(0), mainExitCode: nil) == 1)
        #expect(ExitCodePolicy.code(for: .restartsExhausted(0), mainExitCode: nil) == 1)
        #expect(ExitCodePolicy.codeWhenAllFinished([.completed, .skipped]) == 1)
    }

    // MARK: Main-command mode

    @Test func mainStartsOnceEveryServiceIsReadyAndItsExitEndsTheRun() {
        var h = Harness(
            [service("db") { $0.readyLogLine = "ready" }, service("migrate")], mainCommand: .exec(["app", "serve"]))
        #expect(h.supervisor.mainCommandID == 2)
        #expect(h.supervisor.spec(2).name == "main")
        #expect(h.supervisor.spec(2).command == .exec(["app", "serve"]))
        #expect(h.send(.begin) == [.spawn(0), .spawn(1)])
        h.spawned("db")
        h.spawned("migrate")
        #expect(h.exited("migrate", .exited(0)) == [.log("migrate exited 0")])
        #expect(h.send(.readyLogLineSeen(0)) == [.log("db ready"), .spawn(2)])
        #expect(h.spawned("main") == [.log("main started (pid 102)")])
        #expect(h.supervisor.isReady)
        #expect(
            h.exited("main", .exited(3)) == [
                .log("main exited 3"), .log("stopping all services: main ended (exit_on_end)"),
                .log("db stopping (SIGTERM)"),
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(h.exited("db", .exited(0)) == [.log("db stopped (exited 0)"), .exit(code: 3)])
    }

    @Test func mainKilledBySignalGives128PlusN() {
        var h = Harness([], mainCommand: .shell("sleep 100"))
        #expect(h.send(.begin) == [.spawn(0)])
        h.spawned("main")
        #expect(h.exited("main", .signaled(9)).last == .exit(code: 137))
    }

    @Test func mainNotFoundGives127() {
        var h = Harness([], mainCommand: .exec(["nope"]))
        h.send(.begin)
        #expect(h.send(.spawnFailed(0, reason: "nope: not found")).last == .exit(code: 127))
    }

    @Test func mainWaitsOnlyForMainDependsOn() {
        var h = Harness(
            [service("db"), service("search") { $0.readinessProbe = probe() }], mainCommand: .exec(["app"]),
            mainDependsOn: ["db"])
        h.send(.begin)
        #expect(h.spawned("db") == [.log("db started (pid 100)"), .spawn(2)])
    }

    @Test func mainIsSkippedWhenWhatItWaitsForFails() {
        var h = Harness([service("db") { $0.readinessProbe = probe() }], mainCommand: .exec(["app"]))
        h.send(.begin)
        h.spawned("db")
        #expect(
            h.exited("db", .exited(1)) == [
                .cancelProbes(0), .log("db exited 1"), .log("main skipped: db failed before becoming ready"),
                .log("stopping all services: main was skipped (exit_on_skipped)"), .exit(code: 1),
            ])
    }

    @Test func stopSignalInMainModeExitsWithTheMainCode() {
        var h = Harness(
            [service("db")], mainCommand: .exec(["app"]))
        h.beginAndSpawnAll()
        #expect(
            h.send(.stopRequested(signal: 15)) == [
                .log("stopping all services: SIGTERM received"), .log("main stopping (SIGTERM)"),
                .signal(pid: 101, signal: 15, toGroup: true), .signal(pid: 101, signal: 18, toGroup: true),
            ])
        #expect(
            h.exited("main", .signaled(15)).withoutLogs == [
                .signal(pid: 100, signal: 15, toGroup: true), .signal(pid: 100, signal: 18, toGroup: true),
            ])
        #expect(h.exited("db", .exited(0)).last == .exit(code: 143))
    }

    @Test func mainNameAvoidsAConfiguredMainService() {
        let h = Harness([service("main")], mainCommand: .exec(["app"]))
        #expect(h.supervisor.spec(1).name == "main-command")
    }
}
