import Testing

@testable import InitCore

@Suite struct ConfigLoaderKeyTests {
    @Test func unknownKeysWarnAtEveryLevelWithHints() {
        let result = loadConfig(
            """
            procesess: {}
            processes:
              a:
                command: x
                restart: always
                availability:
                  retsart: always
                readiness_probe:
                  exec:
                    command: "true"
                  perod_seconds: 3
                depends_on:
                  b:
                    condition: process_started
                    required: true
              b:
                command: x
            """)
        #expect(result.config != nil)
        #expect(
            result.messages == [
                "process-compose.yml:1:1: warning: config: unknown key 'procesess' (did you mean 'processes'?)",
                "process-compose.yml:5:5: warning: processes.a: unknown key 'restart' (did you mean 'availability.restart'?)",
                "process-compose.yml:7:7: warning: processes.a.availability: unknown key 'retsart' (did you mean 'restart'?)",
                "process-compose.yml:11:7: warning: processes.a.readiness_probe: unknown key 'perod_seconds' (did you mean 'period_seconds'?)",
                "process-compose.yml:15:9: warning: processes.a.depends_on.b: unknown key 'required'",
            ])
    }

    @Test func unknownKeysAreErrorsUnderIsStrict() {
        let result = loadConfig("is_strict: true\nprocesses:\n  a:\n    command: x\n    shutdown:\n      sigal: 9\n")
        #expect(result.config == nil)
        #expect(
            result.messages == [
                "process-compose.yml:6:7: error: processes.a.shutdown: unknown key 'sigal' (did you mean 'signal'?)"
            ])
    }

    @Test func extensionKeysAreIgnored() {
        let result = loadConfig("x-common: &c {a: 1}\nprocesses:\n  a:\n    command: x\n    x-note: hello\n")
        #expect(result.diagnostics.isEmpty)
    }

    @Test func unsupportedFeaturesNameTheKeyAndLine() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                schedule:
                  interval: 10s
                watch:
                  paths: [src]
                mcp:
                  type: tool
                shutdown:
                  send_keys: "q"
            """)
        #expect(result.config == nil)
        #expect(
            result.messages == [
                "process-compose.yml:4:5: error: processes.a: 'schedule' is not supported by pcinit (cron and interval jobs)",
                "process-compose.yml:6:5: error: processes.a: 'watch' is not supported by pcinit (restart on file changes)",
                "process-compose.yml:8:5: error: processes.a: 'mcp' is not supported by pcinit (MCP tools)",
                "process-compose.yml:11:7: error: processes.a.shutdown: 'send_keys' is not supported by pcinit (keys written to a pseudo-terminal)",
            ])
    }

    @Test func unsupportedFeaturesSetToNothingAreAccepted() {
        let result = loadConfig(
            "vars: {}\nprocesses:\n  a:\n    command: x\n    is_tty: false\n    is_interactive: false\n    schedule:\n")
        #expect(result.diagnostics.isEmpty)
    }

    @Test func theProjectLogFileIsIgnoredWithAWarningAndNamespacesSilently() {
        let result = loadConfig(
            """
            log_location: /tmp/pc.log
            is_tui_disabled: true
            processes:
              a:
                command: x
                namespace: [web, api]
                log_location: /tmp/a.log
                is_template_disabled: true
            """)
        #expect(result.config != nil)
        #expect(
            result.messages == [
                "process-compose.yml:1:1: warning: config: 'log_location' is ignored by pcinit (pcinit writes every service's output to its own stdout/stderr)"
            ])
        #expect(result.service("a")?.logFile?.path == "/tmp/a.log")
    }

    @Test func wrongTypeForAMappingLevel() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    availability: always\n")
        #expect(
            result.messages == [
                "process-compose.yml:4:19: error: processes.a.availability: expected a mapping, found 'always'"
            ])
    }
}
