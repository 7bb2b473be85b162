import Testing

@testable import InitCore

@Suite struct ConfigLoaderPolicyTests {
    @Test func availabilityFieldsAreRead() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                availability:
                  restart: on_failure
                  backoff_seconds: 3
                  max_backoff_seconds: 60
                  max_restarts: 5
                  exit_on_end: true
                  exit_on_skipped: true
            """)
        #expect(
            result.service("a")?.availability
                == Availability(
                    restart: .onFailure, backoff: .seconds(3), maxBackoff: .seconds(60), maxRestarts: 5,
                    exitOnEnd: true, exitOnSkipped: true))
    }

    @Test func backoffBelowOneSecondIsOneSecondAsUpstream() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    availability:\n      backoff_seconds: 0\n")
        #expect(result.service("a")?.availability.backoff == .seconds(1))
    }

    @Test func globalMaxBackoffComesFromXPcinit() {
        let result = loadConfig(
            """
            x-pcinit:
              max_backoff_seconds: 120
            processes:
              a:
                command: x
            """)
        #expect(result.service("a")?.availability.maxBackoff == .seconds(120))
        #expect(result.config?.pcinit.maxBackoff == .seconds(120))
    }

    @Test func badRestartPolicyListsTheValidOnes() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                availability:
                  restart: sometimes
            """)
        #expect(
            result.messages == [
                "process-compose.yml:5:16: error: processes.a.availability.restart: invalid value 'sometimes'; valid values are: no, always, on_failure, exit_on_failure"
            ])
    }

    @Test func restartNoIsTheStringNo() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    availability:\n      restart: no\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.availability.restart == .no)
    }

    @Test func shutdownSignalAcceptsNamesShortNamesAndNumbers() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                shutdown:
                  signal: SIGINT
              b:
                command: x
                shutdown:
                  signal: QUIT
              c:
                command: x
                shutdown:
                  signal: 9
                  timeout_seconds: 30
                  parent_only: true
                  command: "pg_ctl stop"
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.shutdown.signal == 2)
        #expect(result.service("b")?.shutdown.signal == 3)
        #expect(
            result.service("c")?.shutdown
                == ShutdownConfig(command: "pg_ctl stop", signal: 9, timeout: .seconds(30), parentOnly: true))
    }

    @Test func unknownSignalIsAnErrorAtItsPosition() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                shutdown:
                  signal: SIGFOO
              b:
                command: x
                shutdown:
                  signal: 65
            """)
        #expect(
            result.messages == [
                "process-compose.yml:5:15: error: processes.a.shutdown.signal: unknown signal 'SIGFOO'; use a name such as SIGTERM, TERM, SIGRTMIN+3 or a number (1-31, 34-64)",
                "process-compose.yml:9:15: error: processes.b.shutdown.signal: unknown signal '65'; use a name such as SIGTERM, TERM, SIGRTMIN+3 or a number (1-31, 34-64)",
            ])
    }

    @Test func shutdownTimeoutZeroMeansTheTenSecondDefault() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    shutdown:\n      timeout_seconds: 0\n")
        #expect(result.service("a")?.shutdown.timeout == .seconds(10))
    }

    @Test func negativeNumbersAreErrors() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                shutdown:
                  timeout_seconds: -1
                availability:
                  max_restarts: -2
                readiness_probe:
                  exec:
                    command: "true"
                  period_seconds: -5
            """)
        #expect(
            result.messages == [
                "process-compose.yml:5:24: error: processes.a.shutdown.timeout_seconds: must not be negative, found -1",
                "process-compose.yml:7:21: error: processes.a.availability.max_restarts: must not be negative, found -2",
                "process-compose.yml:11:23: error: processes.a.readiness_probe.period_seconds: must not be negative, found -5",
            ])
    }

    @Test func successExitCodesMustBeExitCodes() {
        let ok = loadConfig("processes:\n  a:\n    command: x\n    success_exit_codes: [1, 130]\n")
        #expect(ok.service("a")?.successExitCodes == [1, 130])
        #expect(ok.service("a")?.isSuccess(exitCode: 130) == true)
        let bad = loadConfig("processes:\n  a:\n    command: x\n    success_exit_codes: [300]\n")
        #expect(
            bad.messages == [
                "process-compose.yml:4:26: error: processes.a.success_exit_codes[0]: exit code 300 is outside 0…255"
            ])
    }

    @Test func topLevelSettings() throws {
        let result = loadConfig(
            """
            version: "0.5"
            name: shop
            ordered_shutdown: false
            log_length: 50
            is_strict: true
            processes:
              a:
                command: x
            """)
        let config = try #require(result.config)
        #expect(config.name == "shop")
        #expect(config.orderedShutdown == false)
        #expect(config.logLength == 50)
        #expect(config.isStrict)
    }

    @Test func xPcinitBlockIsRead() throws {
        let result = loadConfig(
            """
            x-pcinit:
              health_addr: "127.0.0.1:9000"
              socket: /tmp/pc.sock
              stop_timeout: 25
              grace: 500ms
              main_depends_on: [db]
              log_level: debug
            processes:
              db:
                command: x
            """)
        #expect(result.diagnostics.isEmpty)
        let settings = try #require(result.config?.pcinit)
        #expect(
            settings
                == PCInitSettings(
                    healthAddr: "127.0.0.1:9000", socketPath: "/tmp/pc.sock", stopTimeout: .seconds(25),
                    grace: .milliseconds(500),
                    mainDependsOn: ["db"], logLevel: "debug"))
    }

    @Test func xPcinitProblemsAreReported() {
        let result = loadConfig(
            """
            x-pcinit:
              stop_timeout: soon
              main_depends_on: [ghost]
              log_level: loud
              helth_addr: x
            processes:
              db:
                command: x
            """)
        #expect(
            result.messages == [
                "process-compose.yml:2:17: error: x-pcinit.stop_timeout: invalid duration 'soon'; write seconds (10, 0.5) or a number with ms, s, m or h",
                "process-compose.yml:3:21: error: x-pcinit.main_depends_on: unknown process 'ghost'",
                "process-compose.yml:4:14: error: x-pcinit.log_level: invalid value 'loud'; valid values are: error, warn, info, debug",
                "process-compose.yml:5:3: warning: x-pcinit: unknown key 'helth_addr' (did you mean 'health_addr'?)",
            ])
    }

    @Test func unknownLogLevelIsAWarningUnlessStrict() {
        let lax = loadConfig("log_level: chatty\nprocesses:\n  a:\n    command: x\n")
        #expect(
            lax.messages == [
                "process-compose.yml:1:12: warning: log_level: unknown log level 'chatty'; valid values are: trace, debug, info, warn, error, fatal, panic, disabled"
            ])
        let strict = loadConfig("is_strict: true\nlog_level: chatty\nprocesses:\n  a:\n    command: x\n")
        #expect(strict.config == nil)
    }
}
