import Testing

@testable import InitCore

@Suite struct ConfigLoaderCommandTests {
    @Test func stringCommandRunsThroughTheShellWithDefaultsFilledIn() throws {
        let result = loadConfig(
            """
            processes:
              web:
                command: "serve --port 80"
            """)
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        #expect(config.shell == ShellConfig(command: "/bin/sh", argument: "-c"))
        #expect(config.orderedShutdown)
        #expect(config.logLength == 1000)
        let web = try #require(result.service("web"))
        #expect(web.command == .shell("serve --port 80"))
        #expect(web.availability == Availability())
        #expect(web.shutdown == ShutdownConfig(signal: 15, timeout: .seconds(10)))
        #expect(web.launchTimeout == .seconds(5))
        #expect(web.location == SourceLocation(line: 2, column: 3))
        #expect(web.file == "process-compose.yml")
    }

    @Test func commandListIsExecutedWithoutAShell() {
        let result = loadConfig(
            """
            processes:
              nginx:
                command: [nginx, -g, "daemon off;"]
            """)
        #expect(result.service("nginx")?.command == .exec(["nginx", "-g", "daemon off;"]))
    }

    @Test func entrypointIsExecutedWithoutAShell() {
        let result = loadConfig(
            """
            processes:
              app:
                entrypoint: ["/usr/bin/app", "--serve"]
            """)
        #expect(result.service("app")?.command == .exec(["/usr/bin/app", "--serve"]))
    }

    @Test func commandWinsOverEntrypointWithAWarning() {
        let result = loadConfig(
            """
            processes:
              app:
                command: "run"
                entrypoint: ["other"]
            """)
        #expect(result.service("app")?.command == .shell("run"))
        #expect(
            result.messages == [
                "process-compose.yml:4:17: warning: processes.app: both 'command' and 'entrypoint' are set; using 'command'"
            ])
    }

    @Test func commandOfTheWrongTypeIsAnError() {
        let result = loadConfig(
            """
            processes:
              app:
                command: {a: 1}
            """)
        #expect(result.config == nil)
        #expect(
            result.messages == [
                "process-compose.yml:3:14: error: processes.app.command: expected a string or a list of strings, found a mapping"
            ])
    }

    @Test func commandListWithANonStringItemIsAnError() {
        let result = loadConfig(
            """
            processes:
              app:
                command: [a, [b]]
            """)
        #expect(
            result.messages == [
                "process-compose.yml:3:18: error: processes.app.command[1]: expected a string, found a list"
            ])
    }

    @Test func aProcessWithoutCommandIsAnError() {
        let result = loadConfig(
            """
            processes:
              idle:
                description: nothing to run
            """)
        #expect(result.messages == ["process-compose.yml:2:3: error: processes.idle: no 'command' or 'entrypoint'"])
    }

    @Test func customShellAndComposeShellVariable() {
        let custom = loadConfig(
            """
            shell:
              shell_command: bash
              shell_argument: "-ec"
            processes:
              a:
                command: "true"
            """)
        #expect(custom.config?.shell == ShellConfig(command: "bash", argument: "-ec"))
        let fromEnv = loadConfig("processes:\n  a:\n    command: x\n", environment: ["COMPOSE_SHELL": "/bin/ash"])
        #expect(fromEnv.config?.shell == ShellConfig(command: "/bin/ash", argument: "-c"))
    }

    @Test func multilineBlockCommandIsKeptForTheShell() {
        let result = loadConfig(
            """
            processes:
              job:
                command: |
                  echo one
                  echo two

            """)
        #expect(result.service("job")?.command == .shell("echo one\necho two\n"))
        // At the very end of input there is no line break to keep (PyYAML agrees).
        let atEnd = loadConfig("processes:\n  job:\n    command: |\n      echo one\n      echo two")
        #expect(atEnd.service("job")?.command == .shell("echo one\necho two"))
    }

    @Test func workingDirIsResolvedAgainstPcinitsDirectory() {
        let result = loadConfig(
            """
            processes:
              rel:
                command: x
                working_dir: ./sub/../data
              abs:
                command: x
                working_dir: /srv
              none:
                command: x
            """)
        #expect(result.service("rel")?.workingDir == "/app/data")
        #expect(result.service("abs")?.workingDir == "/srv")
        #expect(result.service("none")?.workingDir == nil)
    }

    @Test func disabledAndIsDisabledString() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                disabled: true
              b:
                command: x
                disabled: true
                is_disabled: "false"
              c:
                command: x
                is_disabled: "true"
            """)
        #expect(result.service("a")?.disabled == true)
        #expect(result.service("b")?.disabled == false)
        #expect(result.service("c")?.disabled == true)
    }

    @Test func daemonLaunchTimeoutDefaultsToFiveAndIsKept() {
        let result = loadConfig(
            """
            processes:
              pg:
                command: pg_ctl start
                is_daemon: true
                launch_timeout_seconds: 20
              other:
                command: x
                is_daemon: true
                launch_timeout_seconds: 0
            """)
        #expect(result.service("pg")?.isDaemon == true)
        #expect(result.service("pg")?.launchTimeout == .seconds(20))
        #expect(result.service("other")?.launchTimeout == .seconds(5))
    }
}

@Suite struct ConfigLoaderEnvironmentSwitchTests {
    @Test func pcDisabledProcessesDisablesByName() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n  b:\n    command: x\n  c:\n    command: x\n",
            environment: ["PC_DISABLED_PROCESSES": "a, c"])
        #expect(result.config?.services.map(\.disabled) == [true, false, true])
    }
}
