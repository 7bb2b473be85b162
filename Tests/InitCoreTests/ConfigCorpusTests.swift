import Foundation
import Testing

@testable import InitCore

/// Loads our own process-compose-style files under Tests/Corpus/process-compose (modelled on
/// process-compose's fixtures/ and fixtures-code/) through the real loader, reading real files.
@Suite struct ConfigCorpusTests {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/").dropLast(2)
        parts.append(contentsOf: ["Corpus", "process-compose"])
        return "/" + parts.joined(separator: "/")
    }()

    func load(_ names: String..., environment: [String: String] = [:]) -> ConfigLoadResult {
        ConfigLoader(environment: environment, workingDirectory: Self.directory, readFile: readRealFile)
            .load(files: names)
    }

    func names(_ result: ConfigLoadResult) -> [String] { result.config?.services.map(\.name) ?? [] }

    @Test func chainArrowStartsFromTheEndWithTheExtraEdge() throws {
        let result = load("chain-arrow.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(names(result) == (1...8).reversed().map { "step\($0)" })
        #expect(result.service("step6")?.dependsOn.map(\.service) == ["step7", "step8"])
        #expect(result.service("step3")?.availability == Availability(restart: .onFailure, backoff: .seconds(2)))
        #expect(result.service("step1")?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["CHAIN_MARK=222"])
    }

    @Test func chainRhombusOrdersTheDiamond() {
        let result = load("chain-rhombus.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(names(result) == ["bottom", "left", "right", "top"])
        #expect(
            result.config?.services.allSatisfy {
                $0.dependsOn.allSatisfy { $0.condition == .processCompletedSuccessfully }
            } == true)
    }

    @Test func chainWithErrorsLoadsWithALogLevelWarning() {
        let result = load("chain-with-errors.yaml")
        #expect(result.config != nil)
        #expect(
            result.messages == [
                "chain-with-errors.yaml:3:12: warning: log_level: unknown log level 'undefined'; valid values are: trace, debug, info, warn, error, fatal, panic, disabled"
            ])
        #expect(names(result) == ["third", "second", "first"])
        #expect(
            result.service("second")?.availability
                == Availability(restart: .onFailure, backoff: .seconds(1), maxRestarts: 1))
        #expect(
            result.service("third")?.availability
                == Availability(restart: .always, backoff: .seconds(2), maxRestarts: 1))
        #expect(result.service("second")?.dependsOn == [Dependency(service: "third", condition: .processCompleted)])
    }

    @Test func dependentOnFailingLogLine() {
        let result = load("dependent-on-failing-log-line.yml")
        #expect(result.diagnostics.isEmpty)
        #expect(names(result) == ["database", "migrate"])
        #expect(result.service("database")?.readyLogLine == "accepting connections")
        #expect(result.service("database")?.availability.restart == .exitOnFailure)
        #expect(result.service("database")?.description == "Never prints its ready line")
        #expect(result.service("migrate")?.dependsOn == [Dependency(service: "database", condition: .processLogReady)])
    }

    @Test func fanOutFanInAndPairs() {
        let many = load("many-for-one.yaml")
        #expect(many.diagnostics.isEmpty)
        #expect(names(many) == ["root", "worker-c", "worker-a", "worker-b"])
        let one = load("one-for-many.yaml")
        #expect(names(one) == ["p3", "p1", "p4", "p2", "collector"])
        #expect(one.service("collector")?.dependsOn.map(\.service) == ["p1", "p2", "p3", "p4"])
        let pairs = load("odd-then-even.yaml")
        #expect(names(pairs) == ["n1", "n2", "n3", "n4"])
    }

    @Test func chainExitEndsOnTheFailingLink() {
        let result = load("chain-exit.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("step8")?.availability.restart == .exitOnFailure)
        #expect(result.service("step8")?.command == .shell("exit 42"))
        #expect(names(result).first == "step8")
    }

    @Test func chainResolvesWorkingDirectories() {
        let result = load("chain.yaml")
        #expect(names(result) == ["link3", "link2", "link1"])
        #expect(result.service("link2")?.workingDir == "/tmp")
        #expect(result.service("link3")?.workingDir == ConfigPath.join(Self.directory, "../.."))
        #expect(result.service("link1")?.workingDir == nil)
    }

    @Test func circularReportsItsCycle() {
        let result = load("circular.yaml")
        #expect(result.config == nil)
        #expect(result.messages == ["circular.yaml:3:3: error: dependency cycle: alpha -> beta -> alpha"])
        #expect(names(load("non-circular.yaml")) == ["alpha", "gamma"])
    }

    @Test func envFileIsReadFromTheWorkingDirAndDoubleDollarIsKept() {
        let result = load("env-file.yaml")
        #expect(result.diagnostics.isEmpty)
        let greeter = result.service("greeter")
        #expect(greeter?.command == .shell("echo My name is $SPEAKER"))
        #expect(greeter?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["SPEAKER=Inigo_Montoya"])
        #expect(greeter?.workingDir == Self.directory + "/envdir")
    }

    @Test func namespacesAreAcceptedAndDoNotAffectDependencies() {
        #expect(load("multi-namespace.yaml").diagnostics.isEmpty)
        let deps = load("namespace-deps.yaml")
        #expect(deps.diagnostics.isEmpty)
        #expect(names(deps) == ["app-helper", "store", "app"])
    }

    @Test func processExtendsMergesEnvironmentByKey() {
        let result = load("process-extends.yaml")
        #expect(result.diagnostics.isEmpty)
        let child = result.service("child")
        #expect(child?.command == .shell("echo template"))
        #expect(child?.workingDir == "/srv")
        #expect(child?.availability.restart == .always)
        #expect(
            child?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["MODE=child", "SHARED=template", "EXTRA=2"])
        let top = result.service("grandchild")
        #expect(top?.command == .shell("echo grandchild"))
        #expect(
            top?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["MODE=child", "SHARED=template", "EXTRA=2"])
    }

    @Test func projectExtendsOverridesOneProcess() {
        let result = load("with-extends.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.files == ["chain.yaml", "with-extends.yaml"])
        #expect(names(result) == ["link3", "link2", "link1"])
        #expect(result.service("link1")?.command == .shell("echo extending"))
        #expect(result.service("link1")?.workingDir == Self.directory)
        #expect(result.service("link2")?.workingDir == "/tmp")
    }

    @Test func scaleExpandsReplicasAndFansOutDependents() {
        let result = load("scale.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(names(result) == ["setup", "api-0", "api-1", "gateway"])
        #expect(
            result.service("gateway")?.dependsOn == [
                Dependency(service: "api-0", condition: .processStarted),
                Dependency(service: "api-1", condition: .processStarted),
            ])
        #expect(
            result.service("api-1")?.dependsOn == [
                Dependency(service: "setup", condition: .processCompletedSuccessfully)
            ])
    }

    @Test func shutdownInOrderKeepsCommandsSignalsAndOrder() {
        let result = load("shutdown-inorder.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.orderedShutdown == true)
        #expect(result.config?.logLength == 500)
        #expect(names(result) == ["base", "mid-c", "mid-d", "top"])
        #expect(result.service("base")?.command == .shell("echo \"base up\"\nsleep 30\n"))
        #expect(result.service("top")?.shutdown.command == "echo \"top: exit\" >> \"$SHUTDOWN_LOG\"; exit 1")
        #expect(result.service("mid-c")?.shutdown == ShutdownConfig(signal: 2, timeout: .seconds(3)))
        #expect(result.service("mid-d")?.shutdown.parentOnly == true)
    }

    @Test func successExitCodes() {
        let codes = load("success-exit-codes.yaml")
        #expect(codes.service("tolerated")?.successExitCodes == [130])
        #expect(codes.service("tolerated")?.availability.maxRestarts == 3)
        #expect(codes.service("control")?.successExitCodes == [])
        let onEnd = load("success-exit-on-end.yaml")
        #expect(onEnd.service("interrupted")?.availability.exitOnEnd == true)
        #expect(onEnd.service("interrupted")?.isSuccess(exitCode: 130) == true)
    }

    @Test func transitiveDependencies() {
        let result = load("transitive-dep.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(names(result) == ["a", "b", "c"])
        #expect(result.service("b")?.command == .shell("echo \"never\""))
    }

    @Test func aProcessLogLocationIsAFileTheProjectOneIsIgnoredWithAWarning() {
        let result = load("with-log.yaml")
        #expect(result.config != nil)
        #expect(
            result.messages == [
                "with-log.yaml:14:1: warning: config: 'log_location' is ignored by pcinit (pcinit writes every service's output to its own stdout/stderr)"
            ])
        #expect(result.service("writer")?.logFile?.path.hasSuffix("/writer.log") == true)
    }

    @Test func unsupportedFeaturesAreNamedWithTheirLine() {
        #expect(
            load("schedule.yaml").messages == [
                "schedule.yaml:4:5: error: processes.backup: 'schedule' is not supported by pcinit (cron and interval jobs)"
            ])
        #expect(
            load("watch.yaml").messages == [
                "watch.yaml:4:5: error: processes.dev: 'watch' is not supported by pcinit (restart on file changes)"
            ])
    }

    @Test func templatesEnvCommandsAndTerminalKeysLoad() {
        let vars = load("vars-template.yaml")
        #expect(vars.diagnostics.isEmpty)
        #expect(vars.service("server")?.command == .shell("serve --port 8080"))
        let commands = ConfigLoader(
            environment: [:], workingDirectory: Self.directory, readFile: readRealFile,
            runEnvCommand: { _ in .output("2026-11-22\n") }
        ).load(files: ["env-cmds.yaml"])
        #expect(commands.diagnostics.isEmpty)
        #expect(
            commands.service("report")?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["TODAY=2026-11-22"])
        #expect(
            load("tty-interactive.yaml").messages == [
                "tty-interactive.yaml:4:5: warning: processes.repl.is_interactive: pcinit has no TUI to attach to; 'repl' runs as a normal service (output relayed, stdin /dev/null)"
            ])
    }
}
