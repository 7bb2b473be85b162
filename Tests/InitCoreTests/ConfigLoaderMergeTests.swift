import Testing

@testable import InitCore

@Suite struct ConfigLoaderMergeTests {
    @Test func laterFilesOverrideEarlierOnesKeyByKey() throws {
        let harness = ConfigTestHarness(
            """
            environment: [A=1, B=1]
            processes:
              web:
                command: "serve"
                environment: [X=base, Y=base]
                availability:
                  restart: always
                  backoff_seconds: 5
                success_exit_codes: [1]
                depends_on:
                  db:
                    condition: process_started
              db:
                command: "db"
            """,
            files: [
                "/app/override.yml": """
                environment: [B=2, C=2]
                processes:
                  web:
                    environment:
                      Y: override
                    availability:
                      backoff_seconds: 9
                    success_exit_codes: [2]
                    depends_on:
                      db:
                        condition: process_healthy
                    disabled: false
                  db:
                    readiness_probe:
                      exec:
                        command: "true"
                  extra:
                    command: "more"
                """
            ])
        let result = harness.load(["process-compose.yml", "override.yml"])
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        #expect(config.files == ["process-compose.yml", "override.yml"])
        #expect(config.services.map(\.name) == ["db", "web", "extra"])
        let web = try #require(result.service("web"))
        #expect(web.command == .shell("serve"))
        #expect(web.availability.restart == .always)
        #expect(web.availability.backoff == .seconds(9))
        #expect(web.successExitCodes == [1, 2])
        #expect(web.dependsOn == [Dependency(service: "db", condition: .processHealthy)])
        #expect(
            web.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["A=1", "B=2", "C=2", "X=base", "Y=override"])
        #expect(result.service("db")?.readinessProbe != nil)
    }

    @Test func mergedNodesKeepTheirOwnFileAndPosition() {
        let harness = ConfigTestHarness(
            "processes:\n  web:\n    command: serve\n",
            files: ["/app/override.yml": "processes:\n  web:\n    availability:\n      restart: bogus\n"])
        let result = harness.load(["process-compose.yml", "override.yml"])
        #expect(
            result.messages == [
                "override.yml:4:16: error: processes.web.availability.restart: invalid value 'bogus'; valid values are: no, always, on_failure, exit_on_failure"
            ])
    }

    @Test func explicitFalseInALaterFileWins() {
        let harness = ConfigTestHarness(
            "processes:\n  a:\n    command: x\n    disabled: true\n",
            files: ["/app/b.yml": "processes:\n  a:\n    disabled: false\n"])
        #expect(harness.load(["process-compose.yml", "b.yml"]).service("a")?.disabled == false)
    }

    @Test func laterCommandListReplacesTheEarlierOne() {
        let harness = ConfigTestHarness(
            "processes:\n  a:\n    entrypoint: [a, b]\n",
            files: ["/app/b.yml": "processes:\n  a:\n    entrypoint: [c]\n"])
        #expect(harness.load(["process-compose.yml", "b.yml"]).service("a")?.command == .exec(["c"]))
    }

    @Test func missingConfigFileIsAnError() {
        let result = ConfigTestHarness().load(["nope.yml"])
        #expect(result.config == nil)
        #expect(result.messages == ["nope.yml: error: cannot read config file: no such file"])
    }

    /// A file with no processes would run nothing: an error, not a silent successful load.
    @Test func aConfigWithoutProcessesIsAnError() {
        #expect(
            loadConfig("# nothing yet\n").messages == [
                "process-compose.yml: error: no processes: the config defines no service under 'processes:'"
            ])
        #expect(
            loadConfig("version: \"0.5\"\nprocesses: {}\n").messages == [
                "process-compose.yml:2:1: error: no processes: the config defines no service under 'processes:'"
            ])
        // An override file without processes is fine: the merged config has them.
        let merged = ConfigTestHarness(
            "processes:\n  a:\n    command: x\n", files: ["/app/override.yml": "environment: [A=1]\n"]
        ).load(["process-compose.yml", "override.yml"])
        #expect(merged.diagnostics.isEmpty)
    }

    @Test func topLevelMustBeAMapping() {
        let result = loadConfig("- a\n- b\n")
        #expect(
            result.messages == [
                "process-compose.yml:1:1: error: expected a mapping with 'processes' at the top level, found a list"
            ])
    }

    @Test func projectExtendsLoadsTheBaseFirstAndRunsItsProcessesInItsDirectory() throws {
        let harness = ConfigTestHarness(
            "extends: base/common.yml\nprocesses:\n  web:\n    command: override\n",
            files: [
                "/app/base/common.yml":
                    "processes:\n  web:\n    command: base\n  worker:\n    command: w\n    working_dir: jobs\n  pinned:\n    command: p\n    working_dir: /opt\n"
            ])
        let result = harness.load()
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        #expect(config.files == ["base/common.yml", "process-compose.yml"])
        #expect(result.service("web")?.command == .shell("override"))
        #expect(result.service("web")?.workingDir == "/app/base")
        #expect(result.service("worker")?.workingDir == "/app/base/jobs")
        #expect(result.service("pinned")?.workingDir == "/opt")
    }

    @Test func circularProjectExtendsIsAnError() {
        let harness = ConfigTestHarness(
            "extends: b.yml\nprocesses:\n  a:\n    command: x\n",
            files: ["/app/b.yml": "extends: process-compose.yml\nprocesses: {}\n"])
        let result = harness.load()
        #expect(
            result.messages == [
                "b.yml:1:10: error: extends: 'process-compose.yml' is circular (it leads back to a file that extends it)"
            ])
    }

    @Test func extendingAFileAlsoGivenWithDashFIsAnError() {
        let harness = ConfigTestHarness(
            "extends: b.yml\nprocesses:\n  a:\n    command: x\n", files: ["/app/b.yml": "processes: {}\n"])
        let result = harness.load(["b.yml", "process-compose.yml"])
        #expect(
            result.messages == [
                "process-compose.yml:1:10: error: extends: 'b.yml' is also given with -f; give only the extending file"
            ])
    }

    @Test func processExtendsErrors() {
        let result = loadConfig(
            """
            processes:
              a:
                extends: ghost
                command: x
              b:
                extends: b
                command: x
              c:
                extends: d
                command: x
              d:
                extends: c
            """)
        #expect(
            result.messages == [
                "process-compose.yml:3:14: error: processes.a.extends: unknown process 'ghost'",
                "process-compose.yml:6:14: error: processes.b.extends: a process cannot extend itself",
                "process-compose.yml:11:3: error: processes.d: no 'command' or 'entrypoint'",
                "process-compose.yml:12:14: error: processes.d.extends: circular extends involving 'c'",
            ])
    }
}
