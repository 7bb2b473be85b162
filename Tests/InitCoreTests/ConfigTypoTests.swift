import Testing

@testable import InitCore

/// "Did you mean": the nearest known key at every level, and what a misspelt block means.
@Suite struct ConfigTypoTests {
    /// What a new user hit: `comand`, `availabilty`, `timout_seconds`.
    @Test func newUsersTypos() {
        let result = loadConfig(
            """
            processes:
              web:
                comand: python3 -m http.server
                entrypoint: [python3, -m, http.server]
                availabilty:
                  restart: always
                shutdown:
                  timout_seconds: 5
            """)
        #expect(
            result.messages == [
                "process-compose.yml:3:5: warning: processes.web: unknown key 'comand' (did you mean 'command'?)",
                "process-compose.yml:5:5: warning: processes.web: unknown key 'availabilty' (did you mean 'availability'?); its settings are ignored, so 'availability' keeps its defaults",
                "process-compose.yml:8:7: warning: processes.web.shutdown: unknown key 'timout_seconds' (did you mean 'timeout_seconds'?)",
            ])
        #expect(result.service("web")?.availability.restart == RestartPolicy.no)
    }

    @Test func aBlockNextToItsRealSpellingSaysNothingAboutDefaults() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    availability: {}\n    availabilty: {restart: always}\n")
        #expect(
            result.messages == [
                "process-compose.yml:5:5: warning: processes.a: unknown key 'availabilty' (did you mean 'availability'?)"
            ])
    }

    @Test func keysOfAnotherLevelSayWhereTheyBelong() {
        // Modelled on eScholarship/jschol process-compose.yml: readiness_probe nested under availability.
        let result = loadConfig(
            """
            processes:
              jschol:
               command: "./gulp"
               availability:
                restart: "always"
                readiness_probe:
                  http_get: {host: 127.0.0.1, port: 18880}
               readiness_probe:
                 port: 18880
                 http_get: {port: 18880}
            """)
        #expect(
            result.messages == [
                "process-compose.yml:6:5: warning: processes.jschol.availability: unknown key 'readiness_probe' (it belongs directly under the process, one level up)",
                "process-compose.yml:9:6: warning: processes.jschol.readiness_probe: unknown key 'port' (it belongs under 'http_get:' or 'tcp_socket:')",
            ])
    }

    @Test func noSuggestionForAnUnrelatedWord() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    flavour: mint\n")
        #expect(result.messages == ["process-compose.yml:4:5: warning: processes.a: unknown key 'flavour'"])
    }

    /// Modelled on ErikBooij/mqtt-http-bridge process-compose.yml (`condition: process-started`).
    @Test func enumValuesGetSuggestionsToo() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                depends_on:
                  b: {condition: process-started}
              b:
                command: x
                availability: {restart: on-failure}
            """)
        #expect(
            result.messages == [
                "process-compose.yml:5:22: error: processes.a.depends_on.b.condition: invalid value 'process-started' (did you mean 'process_started'?); valid values are: process_started, process_healthy, process_completed, process_completed_successfully, process_log_ready",
                "process-compose.yml:8:29: error: processes.b.availability.restart: invalid value 'on-failure' (did you mean 'on_failure'?); valid values are: no, always, on_failure, exit_on_failure",
            ])
    }

    @Test func distance() {
        #expect(NearestName.distance(Array("comand".utf8), Array("command".utf8)) == 1)
        #expect(NearestName.distance(Array("retsart".utf8), Array("restart".utf8)) == 1)
        #expect(NearestName.distance(Array("abc".utf8), Array("".utf8)) == 3)
        #expect(NearestName.suggestion(for: "env", among: ["environment", "extends"]) == nil)
    }
}
