import Testing

@testable import InitCore

@Suite struct ConfigLoaderDependencyTests {
    @Test func servicesComeInStartOrderWithTiesInSourceOrder() {
        let result = loadConfig(
            """
            processes:
              web:
                command: x
                depends_on:
                  db:
                    condition: process_healthy
                  cache:
                    condition: process_started
              cache:
                command: x
              db:
                command: x
                readiness_probe:
                  exec:
                    command: pg_isready
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.services.map(\.name) == ["cache", "db", "web"])
        #expect(
            result.service("web")?.dependsOn == [
                Dependency(service: "db", condition: .processHealthy),
                Dependency(service: "cache", condition: .processStarted),
            ])
    }

    @Test func everyConditionIsAccepted() {
        let conditions = DependencyCondition.allCases.map(\.rawValue)
        var yaml =
            "processes:\n  dep:\n    command: x\n    ready_log_line: up\n  main:\n    command: x\n    depends_on:\n"
        for (i, condition) in conditions.enumerated() {
            yaml += "      d\(i):\n        condition: \(condition)\n"
        }
        for i in conditions.indices { yaml += "  d\(i):\n    command: x\n    ready_log_line: up\n" }
        let result = loadConfig(yaml)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("main")?.dependsOn.map(\.condition.rawValue) == conditions)
    }

    @Test func missingConditionWarnsAndMeansProcessCompleted() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                depends_on:
                  b:
                  c: {}
              b:
                command: x
              c:
                command: x
            """)
        #expect(result.service("a")?.dependsOn.map(\.condition) == [.processCompleted, .processCompleted])
        #expect(
            result.messages == [
                "process-compose.yml:5:7: warning: processes.a.depends_on.b: no condition; using process_completed (waits until 'b' has exited) as process-compose does",
                "process-compose.yml:6:7: warning: processes.a.depends_on.c: no condition; using process_completed (waits until 'c' has exited) as process-compose does",
            ])
    }

    @Test func badConditionListsTheValidOnes() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    depends_on:\n      b:\n        condition: process_ready\n  b:\n    command: x\n"
        )
        #expect(
            result.messages == [
                "process-compose.yml:6:20: error: processes.a.depends_on.b.condition: invalid value 'process_ready'; valid values are: process_started, process_healthy, process_completed, process_completed_successfully, process_log_ready"
            ])
    }

    @Test func dependencyOnAnUnknownProcessIsAnError() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    depends_on:\n      ghost:\n        condition: process_started\n")
        #expect(result.messages == ["process-compose.yml:5:7: error: processes.a.depends_on: unknown process 'ghost'"])
    }

    @Test func listFormOfDependsOnIsRejected() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    depends_on: [b]\n  b:\n    command: x\n")
        #expect(
            result.messages == [
                "process-compose.yml:4:17: error: processes.a.depends_on: expected a mapping of process names to {condition: …}; the list form is not supported"
            ])
    }

    @Test func cycleIsPrintedInOrder() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                depends_on:
                  b:
                    condition: process_started
              b:
                command: x
                depends_on:
                  c:
                    condition: process_started
              c:
                command: x
                depends_on:
                  a:
                    condition: process_started
            """)
        #expect(result.config == nil)
        #expect(result.messages == ["process-compose.yml:2:3: error: dependency cycle: a -> b -> c -> a"])
    }

    @Test func selfDependencyIsACycle() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    depends_on:\n      a:\n        condition: process_started\n")
        #expect(result.messages == ["process-compose.yml:2:3: error: dependency cycle: a -> a"])
    }

    @Test func logReadyNeedsAReadyLogLine() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    depends_on:\n      b:\n        condition: process_log_ready\n  b:\n    command: x\n"
        )
        #expect(
            result.messages == [
                "process-compose.yml:5:7: error: processes.a.depends_on.b: process_log_ready needs a 'ready_log_line' on 'b'"
            ])
    }

    @Test func readyLogLineAndReadinessProbeCannotBeCombined() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                ready_log_line: started
                readiness_probe:
                  exec:
                    command: "true"
            """)
        #expect(
            result.messages == [
                "process-compose.yml:2:3: error: processes.a: 'readiness_probe' and 'ready_log_line' cannot be combined; choose one way to signal readiness"
            ])
    }

    @Test func notifyIsAReadinessMechanism() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                notify: true
              b:
                command: x
                depends_on:
                  a:
                    condition: process_healthy
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.notify == true)
    }

    @Test func healthyWithoutReadinessIsAWarningOrAStrictError() {
        let yaml =
            "processes:\n  a:\n    command: x\n    depends_on:\n      b:\n        condition: process_healthy\n  b:\n    command: x\n"
        let message =
            "processes.a.depends_on.b: process_healthy, but 'b' has no readiness_probe, ready_log_line or notify; pcinit will treat it as healthy as soon as it is running"
        #expect(loadConfig(yaml).messages == ["process-compose.yml:5:7: warning: " + message])
        let strict = loadConfig("is_strict: true\n" + yaml)
        #expect(strict.config == nil)
        #expect(strict.messages == ["process-compose.yml:6:7: error: " + message])
    }

    @Test func dependencyOnADisabledServiceIsAWarning() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    depends_on:\n      b:\n        condition: process_started\n  b:\n    command: x\n    disabled: true\n"
        )
        #expect(result.config != nil)
        #expect(
            result.messages == [
                "process-compose.yml:5:7: warning: processes.a.depends_on.b: 'b' is disabled; it starts only when named on the command line or started by hand"
            ])
    }

    @Test func replicasAreExpandedAndDependenciesFanOut() throws {
        let result = loadConfig(
            """
            processes:
              gateway:
                command: x
                depends_on:
                  worker:
                    condition: process_started
              worker:
                command: x
                replicas: 3
                environment: [ROLE=worker]
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.services.map(\.name) == ["worker-0", "worker-1", "worker-2", "gateway"])
        #expect(result.service("gateway")?.dependsOn.map(\.service) == ["worker-0", "worker-1", "worker-2"])
        let second = try #require(result.service("worker-1"))
        #expect(second.baseName == "worker")
        #expect(second.replicaIndex == 1)
        #expect(
            second.environment.resolved(inherited: []) == ["PC_PROC_NAME=worker", "PC_REPLICA_NUM=1", "ROLE=worker"])
    }

    /// Found by Tests/Fuzz: `replicas: 100000000` built that many services (the loader ran out of time and
    /// memory). The file gets the same cap as `pcinit scale`.
    @Test func replicasAreCappedLikeScale() {
        let result = loadConfig("processes:\n  w:\n    command: x\n    replicas: 100000000\n")
        #expect(
            result.messages == [
                "process-compose.yml:4:15: error: processes.w.replicas: must be at most \(Invocation.maxReplicas), found 100000000"
            ])
        let atTheCap = loadConfig("processes:\n  w:\n    command: x\n    replicas: \(Invocation.maxReplicas)\n")
        #expect(atTheCap.diagnostics.isEmpty)
        #expect(atTheCap.config?.services.count == Invocation.maxReplicas)
    }

    @Test func aSingleReplicaDependencyCanBeNamedDirectly() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    depends_on:\n      w-1:\n        condition: process_started\n  w:\n    command: x\n    replicas: 2\n"
        )
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.dependsOn.map(\.service) == ["w-1"])
    }

    @Test func replicaNamesMustNotClash() {
        let result = loadConfig("processes:\n  web:\n    command: x\n    replicas: 2\n  web-1:\n    command: x\n")
        #expect(
            result.messages == [
                "process-compose.yml:2:3: error: processes.web: replica name 'web-1' clashes with process 'web-1'"
            ])
    }

    @Test func allProblemsAreReportedAtOnce() {
        let result = loadConfig(
            """
            processes:
              a:
                command: {}
                availability:
                  restart: sometimes
                depends_on:
                  nobody:
                    condition: process_started
              b:
                entrypoint: "not a list"
                shutdown:
                  signal: NOPE
            """)
        #expect(result.config == nil)
        #expect(result.errors.count == 5)
        #expect(
            result.messages.map { $0.prefix(25) } == [
                "process-compose.yml:3:14:", "process-compose.yml:5:16:", "process-compose.yml:7:7: ",
                "process-compose.yml:10:17",
                "process-compose.yml:12:15",
            ])
    }
}
